using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;

namespace Vigie.Server.Identity;

/// <summary>Short-lived API tokens signed with ECDSA P-256 (ES256); the private key never leaves the key folder.</summary>
internal sealed class TokenService
{
    public const string Issuer = "vigie";
    public const string Audience = "vigie-api";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly SigningCredentials _credentials;
    private readonly TimeProvider _clock;

    public TokenService(KeyFolder keys, TimeProvider clock)
    {
        var ecdsa = keys.TokenSigningKey();
        Key = new ECDsaSecurityKey(ecdsa) { KeyId = KeyId(ecdsa) };
        _credentials = new SigningCredentials(Key, SecurityAlgorithms.EcdsaSha256);
        _clock = clock;
    }

    public ECDsaSecurityKey Key { get; }

    public string Issue(User user, IEnumerable<Claim>? extra = null)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var claims = new List<Claim>
        {
            new(VigieClaims.UserId, user.Id.ToString()),
            new(VigieClaims.Username, user.Username),
            new(VigieClaims.Establishment, user.EstablishmentId.ToString()),
            new(VigieClaims.SecurityStamp, user.SecurityStamp),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(VigieClaims.Role, r.Role.ToName())));
        claims.AddRange(extra ?? []);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = _credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static string KeyId(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}
