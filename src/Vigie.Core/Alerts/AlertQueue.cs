using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;

namespace Vigie.Core.Alerts;

/// <summary>The alert queue as a person sees it: filtered, newest first, in pages.</summary>
public sealed class AlertQueue(VigieDbContext db)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// Filters as the API takes them: statuses and severities as comma-separated names, an establishment code
    /// (its subtree), a category, a rule id, an assignee; the cursor is the <c>next_cursor</c> of the previous page.
    /// </summary>
    public sealed record Query(string? Status = null, string? Severity = null, string? Establishment = null, string? Category = null,
        string? RuleId = null, string? Assignee = null, string? Cursor = null, int? Limit = null);

    public sealed record Page(IReadOnlyList<Alert> Items, string? NextCursor);

    public async Task<Page> ListAsync(Query query, AlertVisibility visibility, CancellationToken ct = default)
    {
        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
            throw VigieException.Invalid($"limit must be between 1 and {MaxLimit}");
        var q = visibility.Apply(db.Alerts.AsNoTracking());
        if (!string.IsNullOrWhiteSpace(query.Status))
        {
            var statuses = new List<AlertStatus>();
            foreach (var part in query.Status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!AlertStatuses.TryParse(part, out var s))
                    throw VigieException.Invalid($"status '{part}' is unknown; use one of: {string.Join(", ", AlertStatuses.All)}");
                statuses.Add(s);
            }
            q = q.Where(a => statuses.Contains(a.Status));
        }
        if (!string.IsNullOrWhiteSpace(query.Severity))
        {
            var severities = new List<AlertSeverity>();
            foreach (var part in query.Severity.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!AlertSeverities.TryParse(part, out var s))
                    throw VigieException.Invalid($"severity '{part}' is unknown; use one of: {string.Join(", ", AlertSeverities.All)}");
                severities.Add(s);
            }
            q = q.Where(a => severities.Contains(a.Severity));
        }
        if (!string.IsNullOrWhiteSpace(query.Category))
        {
            if (!AlertCategories.TryParse(query.Category, out var category))
                throw VigieException.Invalid($"category '{query.Category}' is unknown; use security or privacy");
            q = q.Where(a => a.Category == category);
        }
        if (!string.IsNullOrWhiteSpace(query.Establishment))
        {
            var code = EstablishmentCode.Normalise(query.Establishment);
            var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
            var root = all.FirstOrDefault(e => e.Code == code);
            // An establishment outside the caller's scope is as unknown as one that does not exist.
            if (root is null || !visibility.Scope.Contains(root.Id))
                throw VigieException.Invalid($"establishment '{code}' is unknown");
            var subtree = AccessScope.Subtree(root.Id, all);
            if (!subtree.IsEverything)
            {
                var ids = subtree.Ids!.Select(i => (Guid?)i).ToList();
                q = q.Where(a => ids.Contains(a.EstablishmentId));
            }
        }
        if (!string.IsNullOrWhiteSpace(query.RuleId))
            q = q.Where(a => a.RuleId == query.RuleId);
        if (!string.IsNullOrWhiteSpace(query.Assignee))
        {
            var name = Identity.Username.Normalise(query.Assignee);
            var user = await db.Users.AsNoTracking().Where(u => u.Username == name).Select(u => new { u.Id, u.EstablishmentId }).SingleOrDefaultAsync(ct);
            // A user outside the caller's scope is as unknown as one that does not exist: the filter never confirms a username.
            if (user is null || !visibility.Scope.Contains(user.EstablishmentId))
                throw VigieException.Invalid($"assignee '{name}' is unknown");
            var id = (Guid?)user.Id;
            q = q.Where(a => a.AssigneeId == id);
        }
        if (!string.IsNullOrWhiteSpace(query.Cursor))
        {
            if (!long.TryParse(query.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var before) || before <= 0)
                throw VigieException.Invalid($"cursor '{query.Cursor}' is not one this API returned");
            q = q.Where(a => a.Id < before);
        }
        var items = await q.OrderByDescending(a => a.Id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Id.ToString(CultureInfo.InvariantCulture);
        }
        return new Page(items, next);
    }
}
