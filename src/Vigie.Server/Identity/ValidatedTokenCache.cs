using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Vigie.Server.Identity;

/// <summary>
/// The bearer-token handler: validates a token in full (ES256 signature, issuer, audience, lifetime) the first time
/// it is seen, then remembers it, keyed by the SHA-256 of the token, until it expires. Measured: verifying the
/// signature and building the claims took about 7 % of a FHIR read's CPU (bench/fhir/run.sh, docs/BENCHMARKS.md);
/// a remembered token costs one hash and one lookup. Only valid tokens are kept, at most <see cref="Capacity"/>, each
/// no longer than its own expiry (a remembered token is never accepted past it). The account check (enabled, same
/// security stamp) still runs on every request after this handler; a user's remembered tokens are also dropped at
/// once when <see cref="SessionValidator.Forget"/> is called (password, roles or status changed).
/// </summary>
internal sealed class ValidatedTokenCache : JsonWebTokenHandler, IDisposable
{
    public const int Capacity = 20_000;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public ValidatedTokenCache(TimeProvider clock) => _clock = clock;

    private sealed record Remembered(ClaimsIdentity Identity, SecurityToken Token, DateTime ValidTo, string UserId, long Generation);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var key = Key(token);
        var now = _clock.GetUtcNow().UtcDateTime;
        if (_validated.TryGetValue(key, out Remembered? hit) && hit is not null && now < hit.ValidTo &&
            _generations.GetValueOrDefault(hit.UserId) == hit.Generation)
        {
            // A copy: whatever a request does to its principal stays with that request.
            return new TokenValidationResult { IsValid = true, ClaimsIdentity = hit.Identity.Clone(), SecurityToken = hit.Token };
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated && validated.ValidTo > now &&
            result.ClaimsIdentity.FindFirst(VigieClaims.UserId)?.Value is { } userId)
        {
            var remembered = new Remembered(result.ClaimsIdentity.Clone(), validated, validated.ValidTo, userId, _generations.GetValueOrDefault(userId));
            _validated.Set(key, remembered, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero) });
        }
        return result;
    }

    /// <summary>Drops every remembered token of a user: the next request validates its token in full.</summary>
    public void Forget(Guid userId) => _generations.AddOrUpdate(userId.ToString(), 1, (_, g) => g + 1);

    private static string Key(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        var rented = max <= 2048 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        Span<byte> bytes = rented ?? stackalloc byte[2048];
        var length = Encoding.UTF8.GetBytes(token, bytes);
        SHA256.HashData(bytes[..length], hash);
        if (rented is not null)
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToBase64String(hash);
    }

    public void Dispose() => _validated.Dispose();
}
