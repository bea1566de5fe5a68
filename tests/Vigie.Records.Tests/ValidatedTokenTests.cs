using Microsoft.IdentityModel.Tokens;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Records.Tests;

/// <summary>
/// FHIR reads remember bearer tokens they have already validated; a remembered token must never outlive its
/// expiry, survive its user being forgotten, or vouch for a forged copy.
/// </summary>
public sealed class ValidatedTokenTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vigie-tokens-").FullName;
    private readonly MovableClock _clock = new(DateTimeOffset.UtcNow);
    private readonly TokenService _tokens;
    private readonly User _user = new() { Username = "dr.alaoui", Roles = [new UserRole { Role = Role.Clinician }] };
    private int _fullValidations;

    public ValidatedTokenTests() => _tokens = new TokenService(new KeyFolder(_folder), _clock);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = TokenService.Issuer,
        ValidAudience = TokenService.Audience,
        IssuerSigningKey = _tokens.Key,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        // The handler's own lifetime check, on the test's clock; it also counts the validations done in full.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            Interlocked.Increment(ref _fullValidations);
            return expires > _clock.GetUtcNow().UtcDateTime;
        },
    };

    [Fact]
    public async Task A_token_is_validated_in_full_once_then_remembered_with_its_claims()
    {
        using var cache = new ValidatedTokenCache(_clock);
        var token = _tokens.Issue(_user);

        var first = await cache.ValidateTokenAsync(token, Parameters());
        var second = await cache.ValidateTokenAsync(token, Parameters());

        first.IsValid.ShouldBeTrue();
        second.IsValid.ShouldBeTrue();
        _fullValidations.ShouldBe(1);
        second.ClaimsIdentity.FindFirst(VigieClaims.Username)!.Value.ShouldBe("dr.alaoui");
        second.ClaimsIdentity.ShouldNotBeSameAs(first.ClaimsIdentity);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        using var cache = new ValidatedTokenCache(_clock);
        var token = _tokens.Issue(_user);
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();

        _clock.Advance(TokenService.Lifetime + TimeSpan.FromSeconds(1));

        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task A_forgotten_users_tokens_are_validated_in_full_again()
    {
        using var cache = new ValidatedTokenCache(_clock);
        var token = _tokens.Issue(_user);
        await cache.ValidateTokenAsync(token, Parameters());

        cache.Forget(_user.Id);
        (await cache.ValidateTokenAsync(token, Parameters())).IsValid.ShouldBeTrue();

        _fullValidations.ShouldBe(2);
    }

    [Fact]
    public async Task A_forged_copy_of_a_remembered_token_is_refused()
    {
        using var cache = new ValidatedTokenCache(_clock);
        var token = _tokens.Issue(_user);
        await cache.ValidateTokenAsync(token, Parameters());
        var parts = token.Split('.');
        var claims = System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(claims.Replace("dr.alaoui", "dr.admin", StringComparison.Ordinal))}.{parts[2]}";

        var result = await cache.ValidateTokenAsync(forged, Parameters());

        result.IsValid.ShouldBeFalse();
        result.Exception.ShouldBeOfType<SecurityTokenInvalidSignatureException>();
    }

    private sealed class MovableClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
