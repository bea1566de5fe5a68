using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Time;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

/// <summary>
/// The alert queue and triage. Administrators, SOC analysts and security officers act on every alert of their
/// establishments' subtree; DPOs on the privacy alerts of theirs. Tuning (suppressions, exceptions) is central:
/// administrators and SOC analysts only, suppressions within their scope, exceptions at the national centre.
/// </summary>
internal static class AlertEndpoints
{
    public sealed record AcknowledgeRequest(string? Comment);

    public sealed record CloseRequest(string? Resolution, string? Reason);

    public sealed record ReopenRequest(string? Reason);

    /// <summary>The user to assign to, as <c>assignee</c> (or <c>username</c>, <c>user</c>); null unassigns.</summary>
    public sealed record AssignRequest(string? Assignee, string? Username = null, string? User = null)
    {
        public string? Who => Assignee ?? Username ?? User;
    }

    public sealed record CommentRequest(string? Text);

    public sealed record SuppressionRequest(string? RuleId, string? Entity, string? Establishment, string? Owner, string? Reason, DateTime? ExpiresAt);

    public sealed record ExceptionRequest(string? Yaml, string? Owner, string? Reason, DateTime? ExpiresAt);

    private static readonly string[] Triage = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];
    private static readonly string[] Tuning = [Roles.Admin, Roles.SocAnalyst];

    public static void Map(WebApplication app)
    {
        var alerts = app.MapGroup("/api/v1/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAsync).AllowRoles(Triage)
            .WithSummary("Alerts in the caller's scope, newest first; filter by status, severity, establishment (its subtree), category, rule_id, assignee; page with cursor.");
        alerts.MapGet("/{id:long}", GetAsync).AllowRoles(Triage).WithSummary("One alert: explanation, detections, history and allowed actions.");
        alerts.MapPost("/{id:long}/acknowledge", AcknowledgeAsync).AllowRoles(Triage).WithSummary("new → acknowledged, with an optional comment.");
        alerts.MapPost("/{id:long}/close", CloseAsync).AllowRoles(Triage)
            .WithSummary("new or acknowledged → closed, with a resolution (true_positive, false_positive, benign, duplicate) and a reason.");
        alerts.MapPost("/{id:long}/reopen", ReopenAsync).AllowRoles(Triage).WithSummary("closed → acknowledged, with a reason.");
        alerts.MapPost("/{id:long}/assign", AssignAsync).AllowRoles(Triage).WithSummary("Assign to a user who may work on the alert; null unassigns.");
        alerts.MapPost("/{id:long}/comments", CommentAsync).AllowRoles(Triage).WithSummary("Add a comment to the alert's history.");
        alerts.MapGet("/metrics", MetricsAsync).AllowRoles(Triage).WithSummary("Per establishment: alerts, time to acknowledge and time to close.");
        alerts.MapGet("/rules", RulesAsync).AllowRoles(Triage).WithSummary("Per rule: alerts by resolution, false-positive rate, suppressed and excepted detections.");

        var suppressions = alerts.MapGroup("/suppressions");
        suppressions.MapGet("/", ListSuppressionsAsync).AllowRoles(Tuning).WithSummary("Suppressions (active ones; all=true for expired and revoked too).");
        suppressions.MapPost("/", AddSuppressionAsync).AllowRoles(Tuning).WithSummary("Suppress a rule's detections (optionally for one entity or establishment) until an expiry, with an owner and a reason.");
        suppressions.MapPost("/{id:long}/revoke", RevokeSuppressionAsync).AllowRoles(Tuning).WithSummary("End a suppression now.");

        var exceptions = alerts.MapGroup("/exceptions");
        exceptions.MapGet("/", ListExceptionsAsync).AllowRoles(Tuning).WithSummary("Exceptions (Sigma filters); all=true for expired and revoked too.");
        exceptions.MapPost("/", AddExceptionAsync).AllowRoles(Tuning).WithSummary("Add an exception: a Sigma filter document, with an owner, a reason and an expiry.");
        exceptions.MapPost("/{id:long}/revoke", RevokeExceptionAsync).AllowRoles(Tuning).WithSummary("End an exception now.");
    }

    public static async Task<AlertVisibility> VisibilityAsync(CurrentUser current, CancellationToken ct) =>
        AlertVisibility.For(await current.ScopeAsync(ct), current.Roles);

    public static async Task<IReadOnlyDictionary<Guid, string>> UsernamesAsync(VigieDbContext db, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        if (wanted.Count == 0)
            return new Dictionary<Guid, string>();
        return await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, ct);
    }

    private static async Task<IResult> ListAsync(CurrentUser current, AlertQueue queue, VigieDbContext db, EstablishmentIndex index, AttackCatalog catalog,
        string? status, string? severity, string? establishment, string? category, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "rule_id")] string? ruleId, string? assignee, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await queue.ListAsync(new AlertQueue.Query(status, severity, establishment, category, ruleId, assignee, cursor, limit), await VisibilityAsync(current, ct), ct);
        var all = await index.GetAsync(ct);
        var users = await UsernamesAsync(db, page.Items.Select(a => a.AssigneeId), ct);
        return Results.Ok(new { items = page.Items.Select(a => AlertView.From(a, all, users, catalog)), next_cursor = page.NextCursor });
    }

    private static async Task<IResult> GetAsync(long id, CurrentUser current, AlertTriage triage, VigieDbContext db, EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        var alert = await triage.FindAsync(id, await VisibilityAsync(current, ct), details: true, ct);
        return await DetailAsync(alert, db, index, catalog, ct);
    }

    private static async Task<IResult> DetailAsync(Alert alert, VigieDbContext db, EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        // After a change the tracked alert holds only the new history entry: read it whole.
        await db.Entry(alert).Collection(a => a.History).LoadAsync(ct);
        await db.Entry(alert).Collection(a => a.Detections).LoadAsync(ct);
        var users = await UsernamesAsync(db, [alert.AssigneeId], ct);
        return Results.Ok(AlertDetailView.From(alert, await index.GetAsync(ct), users, catalog));
    }

    private static async Task<IResult> AcknowledgeAsync(long id, AcknowledgeRequest? request, CurrentUser current, AlertTriage triage, VigieDbContext db,
        EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        var alert = await triage.AcknowledgeAsync(id, request?.Comment, current.Actor, await VisibilityAsync(current, ct), ct);
        return await DetailAsync(alert, db, index, catalog, ct);
    }

    private static async Task<IResult> CloseAsync(long id, CloseRequest request, CurrentUser current, AlertTriage triage, VigieDbContext db,
        EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        var alert = await triage.CloseAsync(id, request.Resolution, request.Reason, current.Actor, await VisibilityAsync(current, ct), ct);
        return await DetailAsync(alert, db, index, catalog, ct);
    }

    private static async Task<IResult> ReopenAsync(long id, ReopenRequest request, CurrentUser current, AlertTriage triage, VigieDbContext db,
        EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        var alert = await triage.ReopenAsync(id, request.Reason, current.Actor, await VisibilityAsync(current, ct), ct);
        return await DetailAsync(alert, db, index, catalog, ct);
    }

    private static async Task<IResult> AssignAsync(long id, AssignRequest request, CurrentUser current, AlertTriage triage,
        VigieDbContext db, EstablishmentIndex index, AttackCatalog catalog, CancellationToken ct)
    {
        var (alert, _) = await triage.AssignAsync(id, request.Who, current.Actor, await VisibilityAsync(current, ct), ct);
        return await DetailAsync(alert, db, index, catalog, ct);
    }

    private static async Task<IResult> CommentAsync(long id, CommentRequest request, CurrentUser current, AlertTriage triage, CancellationToken ct)
    {
        var entry = await triage.CommentAsync(id, request.Text, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/alerts/{id}", new AlertHistoryView(entry.Id, LocalTime.Format(entry.Time, "UTC"), entry.Actor, entry.Action, null, null, entry.Text));
    }

    private static async Task<IResult> MetricsAsync(CurrentUser current, AlertMetrics metrics, EstablishmentIndex index, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var result = await metrics.ComputeAsync(await VisibilityAsync(current, ct), from, to, ct);
        var all = await index.GetAsync(ct);
        return Results.Ok(new
        {
            items = result.Select(m => new
            {
                establishment = AlertView.Place(m.EstablishmentId, all).Code,
                alerts = m.Alerts,
                acknowledged = m.Acknowledged,
                closed = m.Closed,
                mean_time_to_acknowledge_seconds = m.MeanTimeToAcknowledge?.TotalSeconds,
                median_time_to_acknowledge_seconds = m.MedianTimeToAcknowledge?.TotalSeconds,
                mean_time_to_close_seconds = m.MeanTimeToClose?.TotalSeconds,
                median_time_to_close_seconds = m.MedianTimeToClose?.TotalSeconds,
            }),
        });
    }

    private static async Task<IResult> RulesAsync(CurrentUser current, AlertTuning tuning, CancellationToken ct) =>
        Results.Ok(new { items = await tuning.RuleStatsAsync(await VisibilityAsync(current, ct), ct) });

    private static async Task<IResult> ListSuppressionsAsync(CurrentUser current, AlertTuning tuning, EstablishmentIndex index, bool? all, CancellationToken ct)
    {
        var establishments = await index.GetAsync(ct);
        var list = await tuning.ListSuppressionsAsync(all ?? false, await current.ScopeAsync(ct), ct);
        return Results.Ok(new { items = list.Select(s => SuppressionView(s, establishments)) });
    }

    private static async Task<IResult> AddSuppressionAsync(SuppressionRequest request, CurrentUser current, AlertTuning tuning, EstablishmentIndex index, CancellationToken ct)
    {
        var s = await tuning.AddSuppressionAsync(new AlertTuning.NewSuppression(request.RuleId, request.Entity, request.Establishment, request.Owner, request.Reason, request.ExpiresAt), current.Actor,
            await current.ScopeAsync(ct), ct);
        return Results.Created($"/api/v1/alerts/suppressions/{s.Id}", SuppressionView(s, await index.GetAsync(ct)));
    }

    private static async Task<IResult> RevokeSuppressionAsync(long id, CurrentUser current, AlertTuning tuning, EstablishmentIndex index, CancellationToken ct) =>
        Results.Ok(SuppressionView(await tuning.RevokeSuppressionAsync(id, current.Actor, await current.ScopeAsync(ct), ct), await index.GetAsync(ct)));

    private static async Task<IResult> ListExceptionsAsync(CurrentUser current, AlertTuning tuning, bool? all, CancellationToken ct) =>
        Results.Ok(new { items = (await tuning.ListFiltersAsync(all ?? false, await current.ScopeAsync(ct), ct)).Select(ExceptionView) });

    private static async Task<IResult> AddExceptionAsync(ExceptionRequest request, CurrentUser current, AlertTuning tuning, CancellationToken ct)
    {
        var f = await tuning.AddFilterAsync(new AlertTuning.NewFilter(request.Yaml, request.Owner, request.Reason, request.ExpiresAt), current.Actor,
            await current.ScopeAsync(ct), ct);
        return Results.Created($"/api/v1/alerts/exceptions/{f.Id}", ExceptionView(f));
    }

    private static async Task<IResult> RevokeExceptionAsync(long id, CurrentUser current, AlertTuning tuning, CancellationToken ct) =>
        Results.Ok(ExceptionView(await tuning.RevokeFilterAsync(id, current.Actor, await current.ScopeAsync(ct), ct)));

    private static object SuppressionView(AlertSuppression s, IReadOnlyDictionary<Guid, Vigie.Core.Establishments.Establishment> all) => new
    {
        id = s.Id,
        rule_id = s.RuleId,
        entity = s.Entity,
        establishment = AlertView.Place(s.EstablishmentId, all).Code,
        owner = s.Owner,
        reason = s.Reason,
        created_by = s.CreatedBy,
        created_at = Utc(s.CreatedAt),
        expires_at = Utc(s.ExpiresAt),
        revoked_at = s.RevokedAt is { } r ? Utc(r) : null,
        active = s.IsActive(DateTime.UtcNow),
        hits = s.Hits,
        last_hit_at = s.LastHitAt is { } h ? Utc(h) : null,
    };

    private static object ExceptionView(AlertFilter f) => new
    {
        id = f.Id,
        title = f.Title,
        rule_ids = f.Rules,
        yaml = f.Yaml,
        owner = f.Owner,
        reason = f.Reason,
        created_by = f.CreatedBy,
        created_at = Utc(f.CreatedAt),
        expires_at = Utc(f.ExpiresAt),
        revoked_at = f.RevokedAt is { } r ? Utc(r) : null,
        active = f.IsActive(DateTime.UtcNow),
        hits = f.Hits,
        last_hit_at = f.LastHitAt is { } h ? Utc(h) : null,
    };

    private static string Utc(DateTime t) => LocalTime.Format(t, "UTC");
}
