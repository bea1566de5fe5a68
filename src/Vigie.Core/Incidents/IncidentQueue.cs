using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;

namespace Vigie.Core.Incidents;

/// <summary>Incidents as a person sees them: filtered, newest first, in pages.</summary>
public sealed class IncidentQueue(VigieDbContext db)
{
    public sealed record Query(string? Status = null, string? Severity = null, string? Type = null, string? Establishment = null, string? Cursor = null, int? Limit = null);

    public sealed record Page(IReadOnlyList<Incident> Items, string? NextCursor);

    public async Task<Page> ListAsync(Query query, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var limit = query.Limit ?? 100;
        if (limit is < 1 or > 1000)
            throw VigieException.Invalid("limit must be between 1 and 1000");
        var q = visibility.Apply(db.Incidents.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(query.Status))
        {
            var list = new List<IncidentStatus>();
            foreach (var part in query.Status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                list.Add(IncidentStatuses.TryParse(part, out var s) ? s : throw VigieException.Invalid($"status '{part}' is unknown; use one of: {string.Join(", ", IncidentStatuses.All)}"));
            q = q.Where(i => list.Contains(i.Status));
        }
        if (!string.IsNullOrWhiteSpace(query.Severity))
        {
            var list = query.Severity.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IncidentDesk.ParseSeverity).ToList();
            q = q.Where(i => list.Contains(i.Severity));
        }
        if (!string.IsNullOrWhiteSpace(query.Type))
        {
            var list = query.Type.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(IncidentDesk.ParseType).ToList();
            q = q.Where(i => list.Contains(i.Type));
        }
        if (!string.IsNullOrWhiteSpace(query.Establishment))
        {
            var code = EstablishmentCode.Normalise(query.Establishment);
            var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
            var root = all.FirstOrDefault(e => e.Code == code);
            if (root is null || !visibility.Scope.Contains(root.Id))
                throw VigieException.Invalid($"establishment '{code}' is unknown");
            var subtree = AccessScope.Subtree(root.Id, all);
            if (!subtree.IsEverything)
            {
                var ids = subtree.Ids!.ToList();
                q = q.Where(i => ids.Contains(i.EstablishmentId));
            }
        }
        if (!string.IsNullOrWhiteSpace(query.Cursor))
        {
            if (!long.TryParse(query.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var before) || before <= 0)
                throw VigieException.Invalid($"cursor '{query.Cursor}' is not one this API returned");
            q = q.Where(i => i.Id < before);
        }
        var items = await q.OrderByDescending(i => i.Id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Id.ToString(CultureInfo.InvariantCulture);
        }
        return new Page(items, next);
    }
}
