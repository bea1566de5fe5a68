using System.Net;
using System.Net.Http.Json;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Api;

public sealed class SecondFactorTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task After_enrolment_a_token_needs_a_current_code_once_and_a_recovery_code_works_once(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.SocAnalyst);
        using var client = await host.SignedInAsync("amina");

        var started = await (await client.PostAsync("/api/v1/me/totp", null)).ReadAsync();
        var secret = Totp.FromBase32(started.GetProperty("secret").GetString()!);
        started.GetProperty("otpauth_uri").GetString()!.ShouldStartWith("otpauth://totp/Vigie:amina?secret=");

        (await client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = "000000" == Code(secret) ? "111111" : "000000" }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var confirmed = await client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = Code(secret, +1) });
        confirmed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var recovery = (await confirmed.ReadAsync()).GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        recovery.Count.ShouldBe(RecoveryCodes.Count);

        var noCode = await host.RequestTokenAsync("amina");
        noCode.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await noCode.ReadAsync()).GetProperty("mfa_required").GetBoolean().ShouldBeTrue();

        // The confirmation used the next step's code, so only a later step is accepted now: no replay.
        (await host.RequestTokenAsync("amina", totp: Code(secret, +1))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await host.RequestTokenAsync("amina", totp: recovery[0])).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.RequestTokenAsync("amina", totp: recovery[0])).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.RequestTokenAsync("amina", totp: recovery[1].ToUpperInvariant())).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void Totp_matches_the_RFC_6238_test_vectors()
    {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; 6-digit codes are the last six digits.
        var secret = "12345678901234567890"u8.ToArray();
        Totp.Code(secret, 59 / 30).ShouldBe("287082");
        Totp.Code(secret, 1111111109 / 30).ShouldBe("081804");
        Totp.Code(secret, 1234567890 / 30).ShouldBe("005924");
        Totp.Code(secret, 2000000000 / 30).ShouldBe("279037");
        Totp.FromBase32(Totp.ToBase32(secret)).ShouldBe(secret);
    }

    private static string Code(byte[] secret, int drift = 0) => Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + drift);
}
