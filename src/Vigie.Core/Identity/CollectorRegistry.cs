using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Identity;

/// <summary>Issues, lists, revokes and checks collector API keys. Keys are 256 random bits, stored only as SHA-256.</summary>
public sealed class CollectorRegistry(VigieDbContext db, SecurityEventWriter events, EstablishmentRegistry establishments)
{
    public const string KeyPrefix = "vgk_";

    public sealed record IssuedKey(Collector Collector, string Key);

    public async Task<IssuedKey> AddAsync(string name, string establishmentCode, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is < 2 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw VigieException.Invalid($"collector name '{name}' is invalid: use 2 to 64 letters, digits, '-', '_' or '.'");
        var establishment = await establishments.FindAsync(establishmentCode ?? "", ct)
            ?? throw VigieException.Invalid($"establishment '{establishmentCode}' does not exist");
        if (!scope.Contains(establishment.Id))
            throw VigieException.Forbidden($"establishment '{establishment.Code}' is outside your scope");
        if (await db.Collectors.AnyAsync(c => c.Name == name, ct))
            throw VigieException.Conflict($"collector '{name}' already exists");

        var key = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var collector = new Collector
        {
            Name = name,
            EstablishmentId = establishment.Id,
            KeyHash = HashKey(key),
            KeyPrefix = key[..12],
        };
        db.Collectors.Add(collector);
        events.Add(SecurityEventType.CollectorAdded, actor, name, establishment.Id, new { establishment = establishment.Code, key_prefix = collector.KeyPrefix });
        await db.SaveChangesAsync(ct);
        return new IssuedKey(collector, key);
    }

    public async Task<IReadOnlyList<Collector>> ListAsync(AccessScope scope, CancellationToken ct = default)
    {
        var all = await db.Collectors.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        return all.Where(c => scope.Contains(c.EstablishmentId)).ToList();
    }

    public async Task<Collector> RevokeAsync(string name, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var collector = await db.Collectors.SingleOrDefaultAsync(c => c.Name == name, ct);
        if (collector is null || !scope.Contains(collector.EstablishmentId))
            throw VigieException.NotFound($"collector '{name}' does not exist");
        if (collector.RevokedAt is null)
        {
            collector.RevokedAt = DateTime.UtcNow;
            events.Add(SecurityEventType.CollectorKeyRevoked, actor, name, collector.EstablishmentId);
            await db.SaveChangesAsync(ct);
        }
        return collector;
    }

    /// <summary>The active collector holding this key, or null. A revoked or unknown key is recorded as a rejected key.</summary>
    public async Task<Collector?> AuthenticateAsync(string? key, string? address, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(key) || !key.StartsWith(KeyPrefix, StringComparison.Ordinal) || key.Length > 100)
            return null;
        var hash = HashKey(key);
        var collector = await db.Collectors.AsNoTracking().SingleOrDefaultAsync(c => c.KeyHash == hash, ct);
        if (collector is { RevokedAt: null })
            return collector;
        events.Add(SecurityEventType.CollectorKeyRejected, new Actor(collector?.Name ?? "unknown-collector", Address: address),
            collector?.Name, collector?.EstablishmentId, new { reason = collector is null ? "unknown key" : "revoked key", key_prefix = key[..Math.Min(12, key.Length)] });
        await db.SaveChangesAsync(ct);
        return null;
    }

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
