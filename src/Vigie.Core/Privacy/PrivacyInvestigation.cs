using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;

namespace Vigie.Core.Privacy;

/// <summary>
/// The DPO's two views: every access a user made, and every person who accessed a patient's record, on a
/// timeline, with the suspicious ones scored and explained. Patients are looked up by pseudonym; accesses in
/// establishments outside the investigator's scope are left out.
/// </summary>
public sealed class PrivacyInvestigation(VigieDbContext db, PatientPseudonyms pseudonyms, TimeProvider time)
{
    public const int MaxItems = 5000;

    public sealed record Accessor(string User, int Accesses, DateTime First, DateTime Last, int? MaxRisk);

    public sealed record UserView(string User, DateTime From, DateTime To, int Accesses, int Patients, int Suspicious,
        IReadOnlyList<PrivacyAccess> Items, IReadOnlyList<Alert> Alerts, bool Truncated);

    public sealed record PatientView(string Pseudonym, DateTime From, DateTime To, int Accesses, IReadOnlyList<Accessor> Accessors,
        IReadOnlyList<PrivacyAccess> Items, bool Truncated);

    private (DateTime From, DateTime To) Period(DateTime? from, DateTime? to)
    {
        var end = to?.ToUniversalTime() ?? time.GetUtcNow().UtcDateTime;
        var start = from?.ToUniversalTime() ?? end.AddDays(-30);
        if (start >= end)
            throw VigieException.Invalid("'from' must be before 'to'");
        if (end - start > TimeSpan.FromDays(400))
            throw VigieException.Invalid("the period may cover at most 400 days");
        return (start, end);
    }

    private static IQueryable<PrivacyAccess> Scoped(IQueryable<PrivacyAccess> q, AccessScope scope)
    {
        if (scope.IsEverything)
            return q;
        var ids = scope.Ids!.Select(i => (Guid?)i).ToList();
        return q.Where(a => ids.Contains(a.EstablishmentId));
    }

    public async Task<UserView> UserAsync(string? username, DateTime? from, DateTime? to, AccessScope scope, AlertVisibility alerts, CancellationToken ct = default)
    {
        var user = (username ?? "").Trim();
        if (user.Length == 0)
            throw VigieException.Invalid("name the user whose accesses to show");
        var (start, end) = Period(from, to);
        var q = Scoped(db.PrivacyAccesses.AsNoTracking(), scope).Where(a => a.UserName == user && a.Time >= start && a.Time < end);
        var items = await q.OrderBy(a => a.Time).Take(MaxItems + 1).ToListAsync(ct);
        var truncated = items.Count > MaxItems;
        if (truncated)
            items.RemoveAt(items.Count - 1);
        var entity = "user:" + user.ToLowerInvariant();
        var related = await alerts.Apply(db.Alerts.AsNoTracking())
            .Where(a => a.Entity == entity && a.Category == AlertCategory.Privacy && a.LastSeen >= start && a.FirstSeen < end)
            .OrderBy(a => a.FirstSeen).ToListAsync(ct);
        return new UserView(user, start, end, items.Count, items.Select(i => i.PatientPseudonym).OfType<string>().Distinct().Count(),
            items.Count(i => i.RiskScore is not null), items, related, truncated);
    }

    /// <summary>Every accessor of a patient, given by identifier (pseudonymised here) or by pseudonym.</summary>
    public async Task<PatientView> PatientAsync(string? patient, DateTime? from, DateTime? to, AccessScope scope, CancellationToken ct = default)
    {
        var id = (patient ?? "").Trim();
        if (id.Length == 0)
            throw VigieException.Invalid("'patient_id' names the patient (identifier or pp_ pseudonym)");
        var pseudonym = PatientPseudonyms.IsPseudonym(id) ? id : pseudonyms.Of(id);
        var (start, end) = Period(from, to);
        var q = Scoped(db.PrivacyAccesses.AsNoTracking(), scope).Where(a => a.PatientPseudonym == pseudonym && a.Time >= start && a.Time < end);
        var items = await q.OrderBy(a => a.Time).Take(MaxItems + 1).ToListAsync(ct);
        var truncated = items.Count > MaxItems;
        if (truncated)
            items.RemoveAt(items.Count - 1);
        var accessors = items.GroupBy(a => a.UserName)
            .Select(g => new Accessor(g.Key, g.Count(), g.Min(a => a.Time), g.Max(a => a.Time), g.Max(a => a.RiskScore)))
            .OrderByDescending(a => a.MaxRisk ?? -1).ThenByDescending(a => a.Accesses).ToList();
        return new PatientView(pseudonym, start, end, items.Count, accessors, items, truncated);
    }
}
