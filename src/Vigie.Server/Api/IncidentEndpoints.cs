using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Incidents;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

/// <summary>
/// Incidents and playbooks. Administrators, SOC analysts and security officers run the incidents of their
/// establishments' subtree. DPOs see the incidents involving personal data, qualify them, draft and record
/// their notifications and comment; the other changes answer 403 for them. Playbooks: administrators and SOC analysts edit.
/// </summary>
internal static class IncidentEndpoints
{
    public sealed record CreateRequest(string? Title, IReadOnlyList<long>? AlertIds, string? Severity, string? Type, string? Tlp, string? Pap,
        string? Establishment, string? Description, string? Playbook);

    public sealed record UpdateRequest(string? Title, string? Description, string? Severity, string? Type, string? Tlp, string? Pap);

    public sealed record ReasonRequest(string? Reason);

    /// <summary>The user to assign to, as <c>assignee</c> (or <c>username</c>, <c>user</c>); null unassigns.</summary>
    public sealed record AssignRequest(string? Assignee, string? Username = null, string? User = null)
    {
        public string? Who => Assignee ?? Username ?? User;
    }

    public sealed record AlertsRequest(IReadOnlyList<long>? AlertIds);

    public sealed record QualifyRequest(bool? PersonalData, bool? EuResidents, bool? HighRisk, bool? Nis2, bool? Hipaa, int? PeopleAffected, int? RecordsAffected,
        Dictionary<string, int>? PeopleByState, string? Nature, IReadOnlyList<string>? CategoriesOfPeople, IReadOnlyList<string>? CategoriesOfData,
        string? Consequences, string? Measures, string? Contact);

    public sealed record TaskRequest(string? Phase, string? Title, string? Description);

    public sealed record TaskUpdateRequest(string? Status, string? Note);

    public sealed record ObservableRequest(string? Kind, string? Value);

    public sealed record TimelineRequest(DateTime? Time, string? Text);

    public sealed record CommentRequest(string? Text);

    public sealed record MergeRequest(IReadOnlyList<long>? IncidentIds);

    public sealed record SplitRequest(IReadOnlyList<long>? AlertIds, string? Title);

    public sealed record NotificationRequest(DateTime? SubmittedAt, string? Reference);

    public sealed record TransferRequest(string? To, string? Reason);

    public sealed record PlaybookRequest(string? Yaml);

    private static readonly string[] Responders = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer];
    private static readonly string[] WithDpo = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];

    public static void Map(WebApplication app)
    {
        var incidents = app.MapGroup("/api/v1/incidents").WithTags("Incidents");
        incidents.MapGet("/", ListAsync).AllowRoles(WithDpo).WithSummary("Incidents in the caller's scope (DPOs: those involving personal data), newest first; filter by status, severity, type, establishment.");
        incidents.MapPost("/", CreateAsync).AllowRoles(Responders).WithSummary("Open an incident from alerts: tasks from the playbook of its type, observables from the alerts, timeline.");
        incidents.MapGet("/metrics", MetricsAsync).AllowRoles(WithDpo).WithSummary("Incidents by type, establishment and severity; time to detect, acknowledge, contain and close.");
        incidents.MapGet("/{id:long}", GetAsync).AllowRoles(WithDpo).WithSummary("One incident with tasks, observables, timeline, comments, evidence, alerts and regulatory clocks.");
        incidents.MapMethods("/{id:long}", ["PATCH"], UpdateAsync).AllowRoles(Responders).WithSummary("Change title, description, severity, type, TLP or PAP.");
        incidents.MapPost("/{id:long}/contain", (long id, CurrentUser c, IncidentDesk d, IncidentQualifier q, EvidenceLocker e, EstablishmentIndex x, VigieDbContext db, ReasonRequest? r, CancellationToken ct) =>
            TransitionAsync(id, IncidentAction.Contain, r?.Reason, c, d, q, e, x, db, ct)).AllowRoles(Responders).WithSummary("open → contained.");
        incidents.MapPost("/{id:long}/close", (long id, CurrentUser c, IncidentDesk d, IncidentQualifier q, EvidenceLocker e, EstablishmentIndex x, VigieDbContext db, ReasonRequest r, CancellationToken ct) =>
            TransitionAsync(id, IncidentAction.Close, r.Reason, c, d, q, e, x, db, ct)).AllowRoles(Responders).WithSummary("open or contained → closed, with a reason.");
        incidents.MapPost("/{id:long}/reopen", (long id, CurrentUser c, IncidentDesk d, IncidentQualifier q, EvidenceLocker e, EstablishmentIndex x, VigieDbContext db, ReasonRequest r, CancellationToken ct) =>
            TransitionAsync(id, IncidentAction.Reopen, r.Reason, c, d, q, e, x, db, ct)).AllowRoles(Responders).WithSummary("closed → open, with a reason.");
        incidents.MapPost("/{id:long}/assign", AssignAsync).AllowRoles(Responders).WithSummary("Assign to a responder who covers the incident; null unassigns.");
        incidents.MapPost("/{id:long}/alerts", AddAlertsAsync).AllowRoles(Responders).WithSummary("Add alerts (and their observables) to the incident.");
        incidents.MapPost("/{id:long}/qualify", QualifyAsync).AllowRoles(WithDpo)
            .WithSummary("Qualify: personal data, EU residents, high risk, NIS2, HIPAA, people and records affected, narrative. The first qualification starts the regulatory clocks.");
        incidents.MapPost("/{id:long}/tasks", AddTaskAsync).AllowRoles(Responders).WithSummary("Add a task (phase, title, description).");
        incidents.MapPost("/{id:long}/tasks/{taskId:long}", SetTaskAsync).AllowRoles(Responders).WithSummary("Mark a task todo, done or skipped, with a note.");
        incidents.MapPost("/{id:long}/observables", AddObservableAsync).AllowRoles(Responders)
            .WithSummary("Add an observable: address, domain, url, hash, account, host, or patient (an identifier, stored pseudonymised).");
        incidents.MapPost("/{id:long}/timeline", AddTimelineAsync).AllowRoles(Responders).WithSummary("Add a manual timeline entry (time defaults to now).");
        incidents.MapPost("/{id:long}/comments", CommentAsync).AllowRoles(WithDpo).WithSummary("Comment on the incident.");
        incidents.MapPost("/{id:long}/merge", MergeAsync).AllowRoles(Responders).WithSummary("Merge other open incidents into this one; they are closed, pointing here.");
        incidents.MapPost("/{id:long}/split", SplitAsync).AllowRoles(Responders).WithSummary("Move some alerts into a new incident; returns the new incident.");
        incidents.MapGet("/{id:long}/notifications/{regulation}", DraftAsync).AllowRoles(WithDpo)
            .WithSummary("Draft notification for one clock, as Markdown (default) or PDF (format=pdf or Accept: application/pdf).");
        incidents.MapPost("/{id:long}/notifications/{regulation}", RecordNotificationAsync).AllowRoles(WithDpo).WithSummary("Record that a notification was sent: its clock stops.");

        var maxEvidence = app.Services.GetRequiredService<IncidentOptions>().EvidenceMaxBytes;
        incidents.MapPost("/{id:long}/evidence", AddEvidenceAsync).AllowRoles(Responders)
            .WithMetadata(new RequestSizeLimitAttribute(maxEvidence + 1))
            .WithSummary("Add an evidence file: the request body, with ?name= and optionally &description=; hashed (SHA-256) on arrival.");
        incidents.MapGet("/{id:long}/evidence", ListEvidenceAsync).AllowRoles(Responders).WithSummary("Evidence files (without content).");
        incidents.MapGet("/{id:long}/evidence/{evidenceId:long}", DownloadEvidenceAsync).AllowRoles(Responders).WithSummary("Download an evidence file; recorded in its chain of custody.");
        incidents.MapGet("/{id:long}/evidence/{evidenceId:long}/custody", CustodyAsync).AllowRoles(Responders).WithSummary("An evidence file's chain of custody.");
        incidents.MapPost("/{id:long}/evidence/{evidenceId:long}/verify", VerifyEvidenceAsync).AllowRoles(Responders).WithSummary("Recompute the SHA-256 and record the check.");
        incidents.MapPost("/{id:long}/evidence/{evidenceId:long}/transfer", TransferEvidenceAsync).AllowRoles(Responders).WithSummary("Record a hand-over of the evidence.");

        var playbooks = app.MapGroup("/api/v1/playbooks").WithTags("Incidents");
        playbooks.MapGet("/", ListPlaybooksAsync).AllowRoles(Responders).WithSummary("Playbooks: those shipped with Vigie and this installation's versions.");
        playbooks.MapGet("/{id}", GetPlaybookAsync).AllowRoles(Responders).WithSummary("One playbook with its tasks and YAML.");
        playbooks.MapPut("/{id}", SavePlaybookAsync).AllowRoles(Roles.Admin, Roles.SocAnalyst).WithSummary("Replace a playbook (or add one) with YAML: id, title, incident_type, tasks.");
        playbooks.MapDelete("/{id}", ResetPlaybookAsync).AllowRoles(Roles.Admin, Roles.SocAnalyst).WithSummary("Drop this installation's version: the shipped playbook applies again.");
    }

    public static async Task<IncidentVisibility> VisibilityAsync(CurrentUser current, CancellationToken ct) =>
        IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);

    private static async Task<IResult> DetailAsync(long id, IncidentVisibility visibility, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct, int status = 200)
    {
        db.ChangeTracker.Clear();
        var incident = await desk.FindAsync(id, visibility, details: true, ct);
        var evidence = await locker.ListAsync(id, visibility, ct);
        var users = await AlertEndpoints.UsernamesAsync(db, [incident.AssigneeId], ct);
        var view = IncidentDetailView.From(incident, qualifier.Clocks(incident), evidence, await index.GetAsync(ct), users);
        return status == 201 ? Results.Created($"/api/v1/incidents/{id}", view) : Results.Ok(view);
    }

    private static async Task<IResult> ListAsync(CurrentUser current, IncidentQueue queue, VigieDbContext db, EstablishmentIndex index,
        string? status, string? severity, string? type, string? establishment, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await queue.ListAsync(new IncidentQueue.Query(status, severity, type, establishment, cursor, limit), await VisibilityAsync(current, ct), ct);
        var ids = page.Items.Select(i => (long?)i.Id).ToList();
        var counts = await db.Alerts.AsNoTracking().Where(a => ids.Contains(a.IncidentId)).GroupBy(a => a.IncidentId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var users = await AlertEndpoints.UsernamesAsync(db, page.Items.Select(i => i.AssigneeId), ct);
        var all = await index.GetAsync(ct);
        return Results.Ok(new
        {
            items = page.Items.Select(i => IncidentView.From(i, counts.FirstOrDefault(c => c.Key == i.Id)?.Count ?? 0, all, users)),
            next_cursor = page.NextCursor,
        });
    }

    private static async Task<IResult> CreateAsync(CreateRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        var incident = await desk.CreateAsync(new IncidentDesk.NewIncident(request.Title, request.AlertIds, request.Severity, request.Type, request.Tlp, request.Pap,
            request.Establishment, request.Description, request.Playbook), current.Actor, visibility, ct);
        return await DetailAsync(incident.Id, visibility, desk, qualifier, locker, index, db, ct, status: 201);
    }

    private static async Task<IResult> GetAsync(long id, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct) =>
        await DetailAsync(id, await VisibilityAsync(current, ct), desk, qualifier, locker, index, db, ct);

    private static async Task<IResult> UpdateAsync(long id, UpdateRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await desk.UpdateAsync(id, new IncidentDesk.Changes(request.Title, request.Description, request.Severity, request.Type, request.Tlp, request.Pap), current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> TransitionAsync(long id, IncidentAction action, string? reason, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier,
        EvidenceLocker locker, EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await desk.TransitionAsync(id, action, reason, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> AssignAsync(long id, AssignRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await desk.AssignAsync(id, request.Who, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> AddAlertsAsync(long id, AlertsRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await desk.AddAlertsAsync(id, request.AlertIds, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> QualifyAsync(long id, QualifyRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        if (request.PersonalData is null)
            throw VigieException.Invalid("'personal_data' (true or false) is required");
        var visibility = await VisibilityAsync(current, ct);
        await qualifier.QualifyAsync(id, new Qualification
        {
            PersonalData = request.PersonalData.Value,
            EuResidents = request.EuResidents ?? false,
            HighRisk = request.HighRisk ?? false,
            Nis2 = request.Nis2,
            Hipaa = request.Hipaa ?? false,
            PeopleAffected = request.PeopleAffected,
            RecordsAffected = request.RecordsAffected,
            PeopleByState = request.PeopleByState ?? [],
            Nature = request.Nature,
            CategoriesOfPeople = request.CategoriesOfPeople ?? [],
            CategoriesOfData = request.CategoriesOfData ?? [],
            Consequences = request.Consequences,
            Measures = request.Measures,
            Contact = request.Contact,
        }, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> AddTaskAsync(long id, TaskRequest request, CurrentUser current, IncidentDesk desk, CancellationToken ct)
    {
        var task = await desk.AddTaskAsync(id, request.Phase, request.Title, request.Description, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/incidents/{id}", new IncidentTaskView(task.Id, task.Position, task.Phase, task.Title, task.Description, task.Status, null, null, null, null));
    }

    private static async Task<IResult> SetTaskAsync(long id, long taskId, TaskUpdateRequest request, CurrentUser current, IncidentDesk desk, CancellationToken ct)
    {
        var t = await desk.SetTaskAsync(id, taskId, request.Status, request.Note, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Ok(new IncidentTaskView(t.Id, t.Position, t.Phase, t.Title, t.Description, t.Status, t.DoneBy, t.DoneAt is { } d ? Vigie.Core.Time.LocalTime.Format(d, "UTC") : null, t.Note, t.Playbook));
    }

    private static async Task<IResult> AddObservableAsync(long id, ObservableRequest request, CurrentUser current, IncidentDesk desk, CancellationToken ct)
    {
        var o = await desk.AddObservableAsync(id, request.Kind, request.Value, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/incidents/{id}", new ObservableView(o.Id, o.Kind, o.Value, o.Source, Vigie.Core.Time.LocalTime.Format(o.FirstSeen, "UTC"), o.Sightings));
    }

    private static async Task<IResult> AddTimelineAsync(long id, TimelineRequest request, CurrentUser current, IncidentDesk desk, CancellationToken ct)
    {
        var e = await desk.AddTimelineAsync(id, request.Time, request.Text, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/incidents/{id}", new TimelineView(e.Id, Vigie.Core.Time.LocalTime.Format(e.Time, "UTC"), e.Kind, e.Actor, e.Text));
    }

    private static async Task<IResult> CommentAsync(long id, CommentRequest request, CurrentUser current, IncidentDesk desk, CancellationToken ct)
    {
        var c = await desk.CommentAsync(id, request.Text, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/incidents/{id}", new CommentView(c.Id, Vigie.Core.Time.LocalTime.Format(c.Time, "UTC"), c.Actor, c.Text));
    }

    private static async Task<IResult> MergeAsync(long id, MergeRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await desk.MergeAsync(id, request.IncidentIds, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> SplitAsync(long id, SplitRequest request, CurrentUser current, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
        EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        var split = await desk.SplitAsync(id, request.AlertIds, request.Title, current.Actor, visibility, ct);
        return await DetailAsync(split.Id, visibility, desk, qualifier, locker, index, db, ct, status: 201);
    }

    private static async Task<IResult> DraftAsync(long id, string regulation, string? format, HttpRequest http, CurrentUser current, IncidentDesk desk,
        IncidentQualifier qualifier, EstablishmentIndex index, TimeProvider time, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        var incident = await desk.FindAsync(id, visibility, details: true, ct);
        var (markdown, title) = Draft(incident, regulation, qualifier, await index.GetAsync(ct), time);
        var pdf = format switch
        {
            null => http.Headers.Accept.ToString().Contains("application/pdf", StringComparison.OrdinalIgnoreCase),
            "pdf" => true,
            "markdown" or "md" => false,
            _ => throw VigieException.Invalid($"format '{format}' is unknown; use markdown or pdf"),
        };
        var file = $"incident-{id}-{regulation}";
        if (pdf)
            return Results.File(IncidentNotificationPdf.Render(markdown, title), "application/pdf", file + ".pdf");
        return Results.Text(markdown, "text/markdown; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>The draft of one clock of an incident (loaded with details), as Markdown, and its title.</summary>
    public static (string Markdown, string Title) Draft(Incident incident, string regulation, IncidentQualifier qualifier,
        IReadOnlyDictionary<Guid, Vigie.Core.Establishments.Establishment> all, TimeProvider time)
    {
        var clocks = qualifier.Clocks(incident);
        var clock = clocks.FirstOrDefault(c => c.Regulation == regulation);
        if (clock is null)
        {
            if (incident.QualifiedAt is null)
                throw VigieException.Conflict($"incident {incident.Id} is not qualified: qualify it first, so that its notifications can be drafted");
            throw VigieException.NotFound($"incident {incident.Id} has no '{regulation}' clock; its clocks: {string.Join(", ", clocks.Select(c => c.Regulation))}");
        }
        var establishment = all[incident.EstablishmentId];
        return (NotificationDrafts.Markdown(incident, IncidentQualifier.Read(incident), clock, establishment, time.GetUtcNow().UtcDateTime), clock.Title);
    }

    private static async Task<IResult> RecordNotificationAsync(long id, string regulation, NotificationRequest request, CurrentUser current, IncidentDesk desk,
        IncidentQualifier qualifier, EvidenceLocker locker, EstablishmentIndex index, VigieDbContext db, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(current, ct);
        await qualifier.RecordNotificationAsync(id, regulation, request.SubmittedAt, request.Reference, current.Actor, visibility, ct);
        return await DetailAsync(id, visibility, desk, qualifier, locker, index, db, ct);
    }

    private static async Task<IResult> AddEvidenceAsync(long id, string? name, string? description, HttpRequest http, CurrentUser current, EvidenceLocker locker, CancellationToken ct)
    {
        var e = await locker.AddAsync(id, name, http.ContentType, description, http.Body, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Created($"/api/v1/incidents/{id}/evidence/{e.Id}", Evidence(e));
    }

    private static async Task<IResult> ListEvidenceAsync(long id, CurrentUser current, EvidenceLocker locker, CancellationToken ct) =>
        Results.Ok(new { items = (await locker.ListAsync(id, await VisibilityAsync(current, ct), ct)).Select(Evidence) });

    private static async Task<IResult> DownloadEvidenceAsync(long id, long evidenceId, string? purpose, CurrentUser current, EvidenceLocker locker, HttpResponse response, CancellationToken ct)
    {
        var (summary, content) = await locker.DownloadAsync(id, evidenceId, purpose, current.Actor, await VisibilityAsync(current, ct), ct);
        response.Headers["X-Content-SHA256"] = summary.Sha256;
        return Results.File(content, summary.MediaType, summary.Name);
    }

    private static async Task<IResult> CustodyAsync(long id, long evidenceId, CurrentUser current, EvidenceLocker locker, CancellationToken ct)
    {
        var (summary, custody) = await locker.CustodyAsync(id, evidenceId, await VisibilityAsync(current, ct), ct);
        return Results.Ok(new
        {
            evidence = Evidence(summary),
            custody = custody.Select(c => new { time = Vigie.Core.Time.LocalTime.Format(c.Time, "UTC"), actor = c.Actor, address = c.ActorAddress, action = c.Action, detail = c.Detail, sha256 = c.Sha256 }),
        });
    }

    private static async Task<IResult> VerifyEvidenceAsync(long id, long evidenceId, CurrentUser current, EvidenceLocker locker, CancellationToken ct)
    {
        var (summary, intact, computed) = await locker.VerifyAsync(id, evidenceId, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Ok(new { evidence = Evidence(summary), intact, computed_sha256 = computed });
    }

    private static async Task<IResult> TransferEvidenceAsync(long id, long evidenceId, TransferRequest request, CurrentUser current, EvidenceLocker locker, CancellationToken ct)
    {
        var entry = await locker.TransferAsync(id, evidenceId, request.To, request.Reason, current.Actor, await VisibilityAsync(current, ct), ct);
        return Results.Ok(new { time = Vigie.Core.Time.LocalTime.Format(entry.Time, "UTC"), actor = entry.Actor, action = entry.Action, detail = entry.Detail, sha256 = entry.Sha256 });
    }

    private static object Evidence(EvidenceLocker.Summary e) => new
    {
        id = e.Id,
        name = e.Name,
        description = e.Description,
        media_type = e.MediaType,
        size = e.Size,
        sha256 = e.Sha256,
        added_by = e.AddedBy,
        added_at = Vigie.Core.Time.LocalTime.Format(e.AddedAt, "UTC"),
    };

    private static async Task<IResult> MetricsAsync(CurrentUser current, IncidentMetrics metrics, EstablishmentIndex index, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var m = await metrics.ComputeAsync(await VisibilityAsync(current, ct), from, to, ct);
        var all = await index.GetAsync(ct);
        object D(IncidentMetrics.Durations d) => new { count = d.Count, mean_seconds = d.Mean?.TotalSeconds, median_seconds = d.Median?.TotalSeconds };
        return Results.Ok(new
        {
            incidents = m.Incidents,
            open = m.Open,
            contained = m.Contained,
            closed = m.Closed,
            by_type = m.ByType,
            by_severity = m.BySeverity,
            by_establishment = m.ByEstablishment.ToDictionary(p => AlertView.Place(p.Key, all).Code ?? p.Key.ToString(), p => p.Value),
            time_to_detect = D(m.TimeToDetect),
            time_to_acknowledge = D(m.TimeToAcknowledge),
            time_to_contain = D(m.TimeToContain),
            time_to_close = D(m.TimeToClose),
        });
    }

    private static object PlaybookView(Playbook p, bool withYaml) => new
    {
        id = p.Id,
        title = p.Title,
        incident_type = p.Type?.ToName(),
        description = p.Description,
        shipped = p.Shipped,
        customised = p.Customised,
        tasks = p.Tasks.Select(t => new { phase = t.Phase, title = t.Title, description = t.Description }),
        yaml = withYaml ? p.Yaml : null,
    };

    private static async Task<IResult> ListPlaybooksAsync(PlaybookLibrary library, CancellationToken ct) =>
        Results.Ok(new { items = (await library.ListAsync(ct)).Select(p => PlaybookView(p, false)) });

    private static async Task<IResult> GetPlaybookAsync(string id, PlaybookLibrary library, CancellationToken ct) =>
        Results.Ok(PlaybookView(await library.FindAsync(id, ct) ?? throw VigieException.NotFound($"playbook '{id}' does not exist"), true));

    private static async Task<IResult> SavePlaybookAsync(string id, PlaybookRequest request, CurrentUser current, PlaybookLibrary library, CancellationToken ct) =>
        Results.Ok(PlaybookView(await library.SaveAsync(id, request.Yaml, current.Actor, ct), true));

    private static async Task<IResult> ResetPlaybookAsync(string id, PlaybookLibrary library, CancellationToken ct)
    {
        await library.ResetAsync(id, ct);
        return Results.NoContent();
    }
}
