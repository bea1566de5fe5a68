using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Alerts;

/// <summary>
/// Central tuning: suppressions and exceptions (Sigma filters), each with an owner, a reason and an expiry,
/// and each rule's false-positive rate from how its alerts were closed. Tuning is scoped like everything else:
/// administrators and SOC analysts below the national centre suppress, see and revoke only suppressions of
/// their establishments, owned by people of their establishments; exceptions apply everywhere and are the
/// national centre's.
/// </summary>
public sealed class AlertTuning(VigieDbContext db, EstablishmentRegistry establishments, AlertOptions options, TimeProvider time)
{
    public sealed record NewSuppression(string? RuleId, string? Entity, string? Establishment, string? Owner, string? Reason, DateTime? ExpiresAt);

    public sealed record NewFilter(string? Yaml, string? Owner, string? Reason, DateTime? ExpiresAt);

    /// <summary>One rule's alerts and how they ended: the false-positive rate is false positives over closed alerts.</summary>
    public sealed record RuleStats(string RuleId, string Title, int Alerts, int Open, int Closed, int TruePositives, int FalsePositives,
        int Benign, int Duplicates, double? FalsePositiveRate, long Suppressed, long Excepted);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<AlertSuppression> AddSuppressionAsync(NewSuppression request, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var ruleId = request.RuleId?.Trim();
        if (string.IsNullOrEmpty(ruleId) || ruleId.Length > 200)
            throw VigieException.Invalid("a suppression names the rule it suppresses ('rule_id', at most 200 characters)");
        var entity = AlertEntity.Parse(request.Entity, out var entityError);
        if (entityError is not null)
            throw VigieException.Invalid(entityError);
        Guid? establishmentId = null;
        if (!string.IsNullOrWhiteSpace(request.Establishment))
        {
            var establishment = await establishments.FindAsync(request.Establishment, ct)
                ?? throw VigieException.Invalid($"establishment '{request.Establishment}' does not exist");
            if (!scope.Contains(establishment.Id))
                throw VigieException.Forbidden($"establishment '{establishment.Code}' is outside your scope");
            establishmentId = establishment.Id;
        }
        else if (!scope.IsEverything)
        {
            throw VigieException.Forbidden("a suppression for every establishment is the national centre's: name an establishment of your scope ('establishment')");
        }
        var (owner, reason, expires) = await ValidateAccountabilityAsync(request.Owner, request.Reason, request.ExpiresAt, scope, ct);
        var suppression = new AlertSuppression
        {
            RuleId = ruleId,
            Entity = entity,
            EstablishmentId = establishmentId,
            Owner = owner,
            Reason = reason,
            CreatedBy = actor.Name,
            CreatedAt = Now,
            ExpiresAt = expires,
        };
        db.AlertSuppressions.Add(suppression);
        await db.SaveChangesAsync(ct);
        return suppression;
    }

    public async Task<AlertFilter> AddFilterAsync(NewFilter request, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        if (!scope.IsEverything)
            throw VigieException.Forbidden("exceptions apply to every establishment: they are the national centre's; suppress for an establishment of your scope instead");
        var compiled = TuningFilter.Compile(request.Yaml ?? "");
        var (owner, reason, expires) = await ValidateAccountabilityAsync(request.Owner, request.Reason, request.ExpiresAt, scope, ct);
        var filter = new AlertFilter
        {
            Title = compiled.Filter.Title.Length > 200 ? compiled.Filter.Title[..200] : compiled.Filter.Title,
            RuleIds = string.Join(',', compiled.Filter.Rules.Distinct(StringComparer.Ordinal)),
            Yaml = request.Yaml!,
            Owner = owner,
            Reason = reason,
            CreatedBy = actor.Name,
            CreatedAt = Now,
            ExpiresAt = expires,
        };
        db.AlertFilters.Add(filter);
        await db.SaveChangesAsync(ct);
        return filter;
    }

    private async Task<(string Owner, string Reason, DateTime Expires)> ValidateAccountabilityAsync(string? owner, string? reason, DateTime? expiresAt,
        AccessScope scope, CancellationToken ct)
    {
        var name = Username.Normalise(owner ?? "");
        if (name.Length == 0)
            throw VigieException.Invalid("'owner' is required: the user who answers for this tuning");
        // A user outside the caller's scope is reported like one who does not exist: naming an owner never confirms a username.
        var ownerEstablishment = await db.Users.AsNoTracking().Where(u => u.Username == name).Select(u => (Guid?)u.EstablishmentId).SingleOrDefaultAsync(ct);
        if (ownerEstablishment is null || !scope.Contains(ownerEstablishment))
            throw VigieException.Invalid($"owner '{name}' is not a user of Vigie");
        var why = reason?.Trim() ?? "";
        if (why.Length is < 3 or > 1000)
            throw VigieException.Invalid("'reason' is required (3 to 1000 characters)");
        if (expiresAt is not { } expires)
            throw VigieException.Invalid("'expires_at' is required: tuning never lasts for ever");
        expires = expires.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) : expires.ToUniversalTime();
        if (expires <= Now)
            throw VigieException.Invalid("'expires_at' must be in the future");
        if (expires - Now > options.MaxTuningLifetime)
            throw VigieException.Invalid($"'expires_at' may be at most {options.MaxTuningLifetime.TotalDays:0} days ahead");
        return (name, why, expires);
    }

    /// <summary>Whether a suppression is one the holder of <paramref name="scope"/> sees: those for every establishment are national.</summary>
    private static bool Covers(AccessScope scope, AlertSuppression suppression) =>
        scope.IsEverything || (suppression.EstablishmentId is not null && scope.Contains(suppression.EstablishmentId));

    public async Task<IReadOnlyList<AlertSuppression>> ListSuppressionsAsync(bool includeInactive, AccessScope scope, CancellationToken ct = default)
    {
        var all = (await db.AlertSuppressions.AsNoTracking().OrderByDescending(s => s.Id).ToListAsync(ct)).Where(s => Covers(scope, s));
        return includeInactive ? all.ToList() : all.Where(s => s.IsActive(Now)).ToList();
    }

    public async Task<IReadOnlyList<AlertFilter>> ListFiltersAsync(bool includeInactive, AccessScope scope, CancellationToken ct = default)
    {
        if (!scope.IsEverything)
            return [];
        var all = await db.AlertFilters.AsNoTracking().OrderByDescending(s => s.Id).ToListAsync(ct);
        return includeInactive ? all : all.Where(s => s.IsActive(Now)).ToList();
    }

    public async Task<AlertSuppression> RevokeSuppressionAsync(long id, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var s = await db.AlertSuppressions.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null || !Covers(scope, s))
            throw VigieException.NotFound($"suppression {id} does not exist");
        if (s.RevokedAt is not null)
            throw VigieException.Conflict($"suppression {id} was already revoked");
        s.RevokedAt = Now;
        s.RevokedBy = actor.Name;
        await db.SaveChangesAsync(ct);
        return s;
    }

    public async Task<AlertFilter> RevokeFilterAsync(long id, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var f = (scope.IsEverything ? await db.AlertFilters.SingleOrDefaultAsync(x => x.Id == id, ct) : null)
            ?? throw VigieException.NotFound($"exception {id} does not exist");
        if (f.RevokedAt is not null)
            throw VigieException.Conflict($"exception {id} was already revoked");
        f.RevokedAt = Now;
        f.RevokedBy = actor.Name;
        await db.SaveChangesAsync(ct);
        return f;
    }

    /// <summary>
    /// Per rule, over the alerts in scope: counts by resolution, the false-positive rate, and what tuning held back
    /// (the suppressions of the caller's establishments; the national exceptions for the national centre only).
    /// </summary>
    public async Task<IReadOnlyList<RuleStats>> RuleStatsAsync(AlertVisibility visibility, CancellationToken ct = default)
    {
        var alerts = await visibility.Apply(db.Alerts.AsNoTracking())
            .Select(a => new { a.RuleId, a.Title, a.Status, a.Resolution, a.Id })
            .ToListAsync(ct);
        var suppressions = (await db.AlertSuppressions.AsNoTracking().ToListAsync(ct)).Where(s => Covers(visibility.Scope, s)).ToList();
        var filters = visibility.Scope.IsEverything ? await db.AlertFilters.AsNoTracking().ToListAsync(ct) : [];
        var ruleIds = alerts.Select(a => a.RuleId).Concat(suppressions.Select(s => s.RuleId)).Concat(filters.SelectMany(f => f.Rules)).Distinct(StringComparer.Ordinal);
        var result = new List<RuleStats>();
        foreach (var ruleId in ruleIds)
        {
            var mine = alerts.Where(a => a.RuleId == ruleId).OrderByDescending(a => a.Id).ToList();
            var closed = mine.Count(a => a.Status == AlertStatus.Closed);
            var fp = mine.Count(a => a.Resolution == AlertResolution.FalsePositive);
            result.Add(new RuleStats(ruleId, mine.FirstOrDefault()?.Title ?? ruleId, mine.Count, mine.Count - closed, closed,
                mine.Count(a => a.Resolution == AlertResolution.TruePositive), fp,
                mine.Count(a => a.Resolution == AlertResolution.Benign), mine.Count(a => a.Resolution == AlertResolution.Duplicate),
                closed == 0 ? null : Math.Round((double)fp / closed, 4),
                suppressions.Where(s => s.RuleId == ruleId).Sum(s => s.Hits),
                filters.Where(f => f.Rules.Contains(ruleId)).Sum(f => f.Hits)));
        }
        return result.OrderByDescending(r => r.FalsePositiveRate ?? -1).ThenByDescending(r => r.Alerts).ThenBy(r => r.RuleId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The active suppressions and exceptions, compiled, for one batch of detections.</summary>
    public async Task<TuningSnapshot> SnapshotAsync(CancellationToken ct = default)
    {
        var now = Now;
        var suppressions = (await db.AlertSuppressions.Where(s => s.RevokedAt == null && s.ExpiresAt > now).ToListAsync(ct));
        var filters = (await db.AlertFilters.Where(f => f.RevokedAt == null && f.ExpiresAt > now).ToListAsync(ct));
        var subtrees = new Dictionary<Guid, AccessScope>();
        if (suppressions.Any(s => s.EstablishmentId is not null))
        {
            var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
            foreach (var id in suppressions.Where(s => s.EstablishmentId is not null).Select(s => s.EstablishmentId!.Value).Distinct())
                subtrees[id] = AccessScope.Subtree(id, all);
        }
        var compiled = new List<(AlertFilter, TuningFilter)>();
        foreach (var f in filters)
        {
            try
            {
                compiled.Add((f, TuningFilter.Compile(f.Yaml)));
            }
            catch (VigieException)
            {
                // Stored filters were valid when added; one that no longer compiles (engine change) is skipped, not fatal.
            }
        }
        return new TuningSnapshot(suppressions, subtrees, compiled, now);
    }
}
