using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;

namespace Vigie.Server.WebConsole;

/// <summary>Small reads several pages share: names of users, who may be given work, establishment codes.</summary>
internal static class ConsoleLookups
{
    public static async Task<IReadOnlyDictionary<Guid, string>> UsernamesAsync(VigieDbContext db, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        if (wanted.Count == 0)
            return new Dictionary<Guid, string>();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, ct);
    }

    /// <summary>Enabled users of the scope holding one of <paramref name="roles"/>: whom work may be assigned to.</summary>
    public static async Task<IReadOnlyList<string>> WorkersAsync(VigieDbContext db, AccessScope scope, IReadOnlyCollection<Role> roles, CancellationToken ct)
    {
        var wanted = roles.ToList();
        var query = db.Users.AsNoTracking().Where(u => !u.Disabled && u.Roles.Any(r => wanted.Contains(r.Role)));
        if (Ids(scope) is { } ids)
            query = query.Where(u => ids.Contains(u.EstablishmentId));
        var names = await query.Select(u => u.Username).ToListAsync(ct);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public static string? Code(Guid? id, IReadOnlyDictionary<Guid, Establishment> all) =>
        id is { } x && all.TryGetValue(x, out var e) ? e.Code : null;

    /// <summary>The ids of a scope for a query's IN list; null when the scope is everything.</summary>
    public static List<Guid>? Ids(AccessScope scope) => scope.IsEverything ? null : scope.Ids!.ToList();
}
