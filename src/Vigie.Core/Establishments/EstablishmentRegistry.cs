using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;
using Vigie.Core.Time;

namespace Vigie.Core.Establishments;

/// <summary>Adds and lists establishments, keeping the hierarchy valid.</summary>
public sealed class EstablishmentRegistry(VigieDbContext db, SecurityEventWriter events)
{
    public sealed record NewEstablishment(string Code, string Name, string Type, string? Parent, string? TimeZone = null);

    public async Task<Establishment> AddAsync(NewEstablishment request, Actor actor, CancellationToken ct = default)
    {
        var code = EstablishmentCode.Normalise(request.Code ?? "");
        if (EstablishmentCode.Error(code) is { } codeError)
            throw VigieException.Invalid(codeError);
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            throw VigieException.Invalid("establishment name is required (at most 200 characters)");
        if (!EstablishmentTypes.TryParse(request.Type, out var type))
            throw VigieException.Invalid($"establishment type '{request.Type}' is unknown; use one of: {string.Join(", ", EstablishmentTypes.All)}");
        var zone = request.TimeZone ?? Establishment.DefaultTimeZone;
        if (LocalTime.FindZone(zone) is null)
            throw VigieException.Invalid($"time zone '{zone}' is not in the tz database (e.g. Africa/Casablanca)");

        Establishment? parent = null;
        if (!string.IsNullOrWhiteSpace(request.Parent))
        {
            var parentCode = EstablishmentCode.Normalise(request.Parent);
            parent = await db.Establishments.SingleOrDefaultAsync(e => e.Code == parentCode, ct)
                ?? throw VigieException.Invalid($"parent establishment '{parentCode}' does not exist");
        }
        if (EstablishmentTypes.ParentError(type, parent?.Type) is { } parentError)
            throw VigieException.Invalid(parentError);
        if (type == EstablishmentType.National && await db.Establishments.AnyAsync(e => e.Type == EstablishmentType.National, ct))
            throw VigieException.Conflict("a national centre already exists; there is only one");
        if (await db.Establishments.AnyAsync(e => e.Code == code, ct))
            throw VigieException.Conflict($"establishment '{code}' already exists");

        var establishment = new Establishment
        {
            Code = code,
            Name = request.Name.Trim(),
            Type = type,
            ParentId = parent?.Id,
            TimeZone = zone,
        };
        db.Establishments.Add(establishment);
        events.Add(SecurityEventType.EstablishmentAdded, actor, code, establishment.Id, new { type = type.ToName(), parent = parent?.Code });
        await db.SaveChangesAsync(ct);
        return establishment;
    }

    public async Task<IReadOnlyList<Establishment>> ListAsync(AccessScope scope, CancellationToken ct = default)
    {
        var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
        return Ordered(all.Where(e => scope.Contains(e.Id)).ToList());
    }

    public Task<Establishment?> FindAsync(string code, CancellationToken ct = default)
    {
        var normalised = EstablishmentCode.Normalise(code);
        return db.Establishments.AsNoTracking().SingleOrDefaultAsync(e => e.Code == normalised, ct);
    }

    public async Task<AccessScope> ScopeOfAsync(Guid establishmentId, CancellationToken ct = default)
    {
        var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
        return AccessScope.Subtree(establishmentId, all);
    }

    /// <summary>Depth-first, parents before children, siblings by code: the order a tree is read.</summary>
    private static List<Establishment> Ordered(List<Establishment> list)
    {
        var ids = list.Select(e => e.Id).ToHashSet();
        var children = list.ToLookup(e => e.ParentId is { } p && ids.Contains(p) ? p : Guid.Empty);
        var result = new List<Establishment>(list.Count);
        void Visit(Guid parent)
        {
            foreach (var e in children[parent].OrderBy(e => e.Code, StringComparer.Ordinal))
            {
                result.Add(e);
                Visit(e.Id);
            }
        }
        Visit(Guid.Empty);
        return result;
    }
}
