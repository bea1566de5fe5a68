using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Api;

public sealed class TokenTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_user_exchanges_their_password_for_a_bearer_token_that_opens_the_API(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.Admin);

        var response = await host.RequestTokenAsync("amina");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.ReadAsync();
        body.GetProperty("token_type").GetString().ShouldBe("Bearer");
        body.GetProperty("expires_in").GetInt32().ShouldBeInRange(60, 3600);
        var token = body.GetProperty("access_token").GetString()!;
        token.Split('.').Length.ShouldBe(3);

        using var client = host.ClientWith(token);
        var me = await (await client.GetAsync("/api/v1/me")).ReadAsync();
        me.GetProperty("username").GetString().ShouldBe("amina");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["admin"]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Wrong_password_and_unknown_user_get_the_same_401_and_are_recorded(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.Admin);

        var wrong = await host.RequestTokenAsync("amina", "not-the-password");
        var unknown = await host.RequestTokenAsync("nobody-here", "not-the-password");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await wrong.ReadAsync()).GetProperty("detail").GetString().ShouldBe((await unknown.ReadAsync()).GetProperty("detail").GetString());

        var failures = await host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().SecurityEvents
            .Where(e => e.Type == SecurityEventType.SignInFailed).Select(e => e.Target).ToListAsync());
        failures.ShouldBe(["amina", "nobody-here"], ignoreOrder: true);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Five_failures_lock_the_account_even_against_the_right_password(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.Admin);

        for (var i = 0; i < SignInService.MaxFailures; i++)
            (await host.RequestTokenAsync("amina", "guess-" + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var locked = await host.RequestTokenAsync("amina");
        locked.StatusCode.ShouldBe((HttpStatusCode)423);
        (await locked.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("locked");

        var lockouts = await host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().SecurityEvents
            .CountAsync(e => e.Type == SecurityEventType.AccountLockedOut && e.Target == "amina"));
        lockouts.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Missing_forged_and_expired_tokens_are_refused_with_the_reason()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.Admin);
        var token = await host.TokenAsync("amina");

        var missing = await host.Client.GetAsync("/api/v1/users");
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await missing.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("bearer token is required");

        // Forged: same header and claims, claims changed to another role, signature kept.
        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        var forgedClaims = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(claims.Replace("amina", "admin2", StringComparison.Ordinal));
        using var forged = host.ClientWith($"{parts[0]}.{forgedClaims}.{parts[2]}");
        var forgedResponse = await forged.GetAsync("/api/v1/users");
        forgedResponse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await forgedResponse.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("signature");

        // Expired: signed with Vigie's real key, by a clock an hour behind.
        var user = await host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().Users.Include(u => u.Roles).SingleAsync(u => u.Username == "amina"));
        var past = new Vigie.Server.Identity.TokenService(host.Services.GetRequiredService<Vigie.Server.Hosting.KeyFolder>(), new FixedClock(DateTimeOffset.UtcNow.AddHours(-1)));
        using var expired = host.ClientWith(past.Issue(user));
        var expiredResponse = await expired.GetAsync("/api/v1/users");
        expiredResponse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await expiredResponse.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("expired");
    }

    [SkippableFact]
    public async Task A_disabled_users_token_stops_working()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("amina", Roles.Admin);
        await host.AddUserAsync("karim", Roles.SocAnalyst);
        using var admin = await host.SignedInAsync("amina");
        using var karim = await host.SignedInAsync("karim");
        (await karim.GetAsync("/api/v1/establishments")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await admin.PostAsync("/api/v1/users/karim/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await karim.GetAsync("/api/v1/establishments")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.RequestTokenAsync("karim")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task Malformed_JSON_gets_a_400_naming_the_position_and_oversized_bodies_a_413()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");

        var malformed = await host.Client.PostAsync("/api/v1/auth/token", new StringContent("{\"username\": \"a\", \"password\": ", Encoding.UTF8, "application/json"));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        malformed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var detail = (await malformed.ReadAsync()).GetProperty("detail").GetString()!;
        detail.ShouldContain("BytePositionInLine");

        var huge = new string('x', 2 * 1024 * 1024);
        // Expect: 100-continue lets the server refuse on the announced length before the body is sent; without it the
        // refusal could race the upload and the client see a broken pipe instead of the answer.
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
        {
            Content = new StringContent($"{{\"username\":\"{huge}\"}}", Encoding.UTF8, "application/json"),
        };
        tooLarge.Headers.ExpectContinue = true;
        var oversized = await host.Client.SendAsync(tooLarge);
        oversized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);

        var wrongType = await host.Client.PostAsync("/api/v1/auth/token", new StringContent("username=a", Encoding.UTF8, "application/x-www-form-urlencoded"));
        ((int)wrongType.StatusCode).ShouldBeInRange(400, 499);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
