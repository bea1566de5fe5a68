using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Incidents;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Alerts;

/// <summary>
/// One alert: why it is suspicious, its ATT&amp;CK techniques, the events it groups, related alerts and its history;
/// acknowledge, assign, comment, close, reopen, and escalate into an incident. An alert outside the user's scope
/// (or of a category their roles do not see) answers 404, as one that does not exist.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class AlertPageModel(CurrentUser current, ConsoleFocus focus, AlertTriage triage, IncidentDesk desk, EstablishmentIndex index,
    AttackCatalog catalog, VigieDbContext db) : ConsolePage
{
    public sealed record DetectionRow(AlertDetection Detection, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<string> Facts, long? EventId);

    public sealed record Related(Alert Alert, string? Establishment, string Why);

    public Alert? Alert { get; private set; }
    public string? Establishment { get; private set; }
    public string? Assignee { get; private set; }
    public IReadOnlyList<TechniqueView> Techniques { get; private set; } = [];
    public IReadOnlyList<string> Explanation { get; private set; } = [];
    public IReadOnlyList<DetectionRow> Detections { get; private set; } = [];
    public IReadOnlyList<Related> RelatedAlerts { get; private set; } = [];
    public IReadOnlyList<Incident> OpenIncidents { get; private set; } = [];
    public IReadOnlyList<string> Workers { get; private set; } = [];
    public IReadOnlyList<string> Allowed { get; private set; } = [];
    public bool CanEscalate { get; private set; }

    public Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => ShowAsync(id, ct);

    public Task<IActionResult> OnPostAcknowledgeAsync(long id, string? comment, CancellationToken ct) =>
        ActAsync(id, "Acknowledged", async v => await triage.AcknowledgeAsync(id, comment, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostCloseAsync(long id, string? resolution, string? reason, CancellationToken ct) =>
        ActAsync(id, "Closed", async v => await triage.CloseAsync(id, resolution, reason, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostReopenAsync(long id, string? reason, CancellationToken ct) =>
        ActAsync(id, "Reopened", async v => await triage.ReopenAsync(id, reason, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostAssignAsync(long id, string? assignee, CancellationToken ct) =>
        ActAsync(id, "Assigned", async v => await triage.AssignAsync(id, string.IsNullOrWhiteSpace(assignee) ? null : assignee, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostCommentAsync(long id, string? text, CancellationToken ct) =>
        ActAsync(id, "Comment added", async v => await triage.CommentAsync(id, text, current.Actor, v, ct), ct);

    /// <summary>Opens an incident from this alert (its playbook's tasks, its observables) and goes to it.</summary>
    public async Task<IActionResult> OnPostEscalateAsync(long id, string? title, CancellationToken ct)
    {
        Incident? created = null;
        if (await TryAsync(async () =>
            {
                var visibility = IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);
                created = await desk.CreateAsync(new IncidentDesk.NewIncident(title, [id]), current.Actor, visibility, ct);
            }))
            return Redirect($"/incidents/{created!.Id}");
        db.ChangeTracker.Clear();
        return await ShowAsync(id, ct, keepStatus: true);
    }

    /// <summary>Adds this alert to an incident already open, and goes to it.</summary>
    public async Task<IActionResult> OnPostJoinAsync(long id, long incident, CancellationToken ct)
    {
        if (await TryAsync(async () =>
            {
                var visibility = IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);
                await desk.AddAlertsAsync(incident, [id], current.Actor, visibility, ct);
            }))
            return Redirect($"/incidents/{incident}");
        db.ChangeTracker.Clear();
        return await ShowAsync(id, ct, keepStatus: true);
    }

    private async Task<IActionResult> ActAsync(long id, string done, Func<AlertVisibility, Task> action, CancellationToken ct)
    {
        var visibility = AlertVisibility.For(await current.ScopeAsync(ct), current.Roles);
        if (await TryAsync(() => action(visibility)))
            Notice = T(done);
        db.ChangeTracker.Clear();
        return await ShowAsync(id, ct, keepStatus: true);
    }

    private async Task<IActionResult> ShowAsync(long id, CancellationToken ct, bool keepStatus = false)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await current.ScopeAsync(ct);
        var visibility = AlertVisibility.For(scope, current.Roles);
        Alert? alert;
        try
        {
            alert = await triage.FindAsync(id, visibility, details: true, ct);
        }
        catch (VigieException e) when (e.Kind == ProblemKind.NotFound)
        {
            Problem = e.Message;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Alert = alert;
        var all = await index.GetAsync(ct);
        Establishment = ConsoleLookups.Code(alert.EstablishmentId, all);
        var users = await ConsoleLookups.UsernamesAsync(db, [alert.AssigneeId], ct);
        Assignee = alert.AssigneeId is { } u && users.TryGetValue(u, out var name) ? name : null;
        Techniques = TechniqueView.From(alert.TechniqueIds, catalog);
        Explanation = Strings(alert.Explanation);
        Allowed = AlertStatuses.Allowed(alert.Status);
        Detections = alert.Detections.OrderBy(d => d.Time).Select(d => new DetectionRow(d, AlertFields.Read(d.Fields), Strings(d.Facts),
            d.EventRef is { } r && r.StartsWith("event:", StringComparison.Ordinal) && long.TryParse(r.AsSpan(6), out var e) ? e : null)).ToList();

        // Related: the same entity anywhere in view, or the same rule at the same establishment.
        var entity = alert.Entity;
        var related = await visibility.Apply(db.Alerts.AsNoTracking())
            .Where(a => a.Id != id && ((entity != null && a.Entity == entity) || (a.RuleId == alert.RuleId && a.EstablishmentId == alert.EstablishmentId)))
            .OrderByDescending(a => a.Id).Take(15).ToListAsync(ct);
        RelatedAlerts = related.Select(a => new Related(a, ConsoleLookups.Code(a.EstablishmentId, all),
            entity is not null && a.Entity == entity ? T("same entity") : T("same rule"))).ToList();

        var incidents = IncidentVisibility.For(scope, current.Roles);
        CanEscalate = incidents.Responder && alert.IncidentId is null;
        if (CanEscalate)
        {
            OpenIncidents = await incidents.Apply(db.Incidents.AsNoTracking()).Where(i => i.Status != IncidentStatus.Closed)
                .OrderByDescending(i => i.Id).Take(50).ToListAsync(ct);
        }
        Workers = await ConsoleLookups.WorkersAsync(db, scope, [Role.Admin, Role.SocAnalyst, Role.SecurityOfficer, Role.Dpo], ct);
        if (!keepStatus)
            Response.StatusCode = StatusCodes.Status200OK;
        return Page();
    }

    private static IReadOnlyList<string> Strings(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return [];
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [json];
        }
    }

    /// <summary>An event search for one field's value, to pivot from an alert to everything else about it.</summary>
    public static string Pivot(string field, string value) => EventSearchLinks.For(field, value);
}
