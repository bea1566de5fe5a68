using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Incidents;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Incidents;

/// <summary>
/// One incident: its regulatory clocks and draft notifications (Markdown and PDF), qualification, tasks, observables,
/// timeline, evidence, alerts and comments, with every action the API offers. DPOs see incidents involving personal
/// data and may qualify, notify and comment; an incident outside the user's view answers 404.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class IncidentPageModel(CurrentUser current, ConsoleFocus focus, IncidentDesk desk, IncidentQualifier qualifier, EvidenceLocker locker,
    EstablishmentIndex index, TimeProvider time, VigieDbContext db) : ConsolePage
{
    public Incident? Incident { get; private set; }
    public string? Establishment { get; private set; }
    public string? Assignee { get; private set; }
    public Qualification? Qualification { get; private set; }
    public IReadOnlyList<RegulatoryClocks.Clock> Clocks { get; private set; } = [];
    public IReadOnlyList<EvidenceLocker.Summary> Evidence { get; private set; } = [];
    public IReadOnlyList<string> Workers { get; private set; } = [];
    public IReadOnlyList<string> Allowed { get; private set; } = [];
    public bool Responder { get; private set; }
    public long EvidenceMaxBytes => locker.MaxBytes;

    public Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => ShowAsync(id, ct);

    /// <summary>The draft notification of one clock: PDF (the default) or Markdown.</summary>
    public async Task<IActionResult> OnGetDraftAsync(long id, string regulation, string? format, CancellationToken ct)
    {
        try
        {
            var incident = await desk.FindAsync(id, await VisibilityAsync(ct), details: true, ct);
            var (markdown, title) = IncidentEndpoints.Draft(incident, regulation, qualifier, await index.GetAsync(ct), time);
            var file = $"incident-{id}-{regulation}";
            return format == "markdown"
                ? File(Encoding.UTF8.GetBytes(markdown), "text/markdown; charset=utf-8", file + ".md")
                : File(IncidentNotificationPdf.Render(markdown, title), "application/pdf", file + ".pdf");
        }
        catch (VigieException e)
        {
            db.ChangeTracker.Clear();
            Problem = e.Message;
            var shown = await ShowAsync(id, ct);
            if (Incident is not null)
                Response.StatusCode = Hosting.ProblemHandler.StatusOf(e.Kind);
            return shown;
        }
    }

    /// <summary>Downloads an evidence file; the download enters its chain of custody.</summary>
    public async Task<IActionResult> OnGetEvidenceAsync(long id, long evidenceId, CancellationToken ct)
    {
        try
        {
            var (summary, content) = await locker.DownloadAsync(id, evidenceId, "downloaded from the console", current.Actor, await VisibilityAsync(ct), ct);
            return File(content, summary.MediaType, summary.Name);
        }
        catch (VigieException e)
        {
            db.ChangeTracker.Clear();
            Problem = e.Message;
            var shown = await ShowAsync(id, ct);
            if (Incident is not null)
                Response.StatusCode = Hosting.ProblemHandler.StatusOf(e.Kind);
            return shown;
        }
    }

    public Task<IActionResult> OnPostTransitionAsync(long id, string? action, string? reason, CancellationToken ct) =>
        ActAsync(id, action switch { "contain" => "Contained", "close" => "Closed", _ => "Reopened" }, async v =>
        {
            var parsed = action switch
            {
                "contain" => IncidentAction.Contain,
                "close" => IncidentAction.Close,
                "reopen" => IncidentAction.Reopen,
                _ => throw VigieException.Invalid($"'{action}' is not an incident action (contain, close, reopen)"),
            };
            await desk.TransitionAsync(id, parsed, reason, current.Actor, v, ct);
        }, ct);

    public Task<IActionResult> OnPostAssignAsync(long id, string? assignee, CancellationToken ct) =>
        ActAsync(id, "Assigned", async v => await desk.AssignAsync(id, string.IsNullOrWhiteSpace(assignee) ? null : assignee, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostQualifyAsync(long id, bool personalData, bool euResidents, bool highRisk, bool nis2, bool hipaa, int? peopleAffected,
        int? recordsAffected, string? nature, string? categoriesOfPeople, string? categoriesOfData, string? consequences, string? measures, string? contact,
        CancellationToken ct) =>
        ActAsync(id, "Qualified: the clocks run", async v => await qualifier.QualifyAsync(id, new Qualification
        {
            PersonalData = personalData,
            EuResidents = euResidents,
            HighRisk = highRisk,
            Nis2 = nis2,
            Hipaa = hipaa,
            PeopleAffected = peopleAffected,
            RecordsAffected = recordsAffected,
            Nature = Empty(nature),
            CategoriesOfPeople = List(categoriesOfPeople),
            CategoriesOfData = List(categoriesOfData),
            Consequences = Empty(consequences),
            Measures = Empty(measures),
            Contact = Empty(contact),
        }, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostNotifyAsync(long id, string regulation, string? reference, CancellationToken ct) =>
        ActAsync(id, "Notification recorded: its clock stops", async v => await qualifier.RecordNotificationAsync(id, regulation, null, Empty(reference), current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostTaskAsync(long id, long taskId, string? status, string? note, CancellationToken ct) =>
        ActAsync(id, "Task updated", async v => await desk.SetTaskAsync(id, taskId, status, Empty(note), current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostAddTaskAsync(long id, string? phase, string? title, string? description, CancellationToken ct) =>
        ActAsync(id, "Task added", async v => await desk.AddTaskAsync(id, phase, title, Empty(description), current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostObservableAsync(long id, string? kind, string? value, CancellationToken ct) =>
        ActAsync(id, "Observable added", async v => await desk.AddObservableAsync(id, kind, value, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostTimelineAsync(long id, string? text, CancellationToken ct) =>
        ActAsync(id, "Timeline entry added", async v => await desk.AddTimelineAsync(id, null, text, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostCommentAsync(long id, string? text, CancellationToken ct) =>
        ActAsync(id, "Comment added", async v => await desk.CommentAsync(id, text, current.Actor, v, ct), ct);

    public Task<IActionResult> OnPostVerifyAsync(long id, long evidenceId, CancellationToken ct) =>
        ActAsync(id, null, async v =>
        {
            var (summary, intact, computed) = await locker.VerifyAsync(id, evidenceId, current.Actor, v, ct);
            if (intact)
                Notice = $"{T("Intact")}{Colon}{summary.Name} (SHA-256 {computed})";
            else
                throw VigieException.Conflict($"{summary.Name}: SHA-256 {computed} differs from {summary.Sha256} recorded on arrival");
        }, ct);

    private async Task<IncidentVisibility> VisibilityAsync(CancellationToken ct) => IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);

    private async Task<IActionResult> ActAsync(long id, string? done, Func<IncidentVisibility, Task> action, CancellationToken ct)
    {
        var visibility = await VisibilityAsync(ct);
        if (await TryAsync(() => action(visibility)) && done is not null)
            Notice = T(done);
        var status = Response.StatusCode;
        db.ChangeTracker.Clear();
        var shown = await ShowAsync(id, ct);
        if (Incident is not null)
            Response.StatusCode = status;
        return shown;
    }

    private async Task<IActionResult> ShowAsync(long id, CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var visibility = await VisibilityAsync(ct);
        Incident incident;
        try
        {
            incident = await desk.FindAsync(id, visibility, details: true, ct);
        }
        catch (VigieException e) when (e.Kind == ProblemKind.NotFound)
        {
            Problem = e.Message;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Incident = incident;
        Responder = visibility.Responder;
        var all = await index.GetAsync(ct);
        Establishment = ConsoleLookups.Code(incident.EstablishmentId, all);
        var users = await ConsoleLookups.UsernamesAsync(db, [incident.AssigneeId], ct);
        Assignee = incident.AssigneeId is { } u && users.TryGetValue(u, out var name) ? name : null;
        Qualification = IncidentQualifier.Read(incident);
        Clocks = qualifier.Clocks(incident);
        Allowed = IncidentStatuses.Allowed(incident.Status);
        if (Responder)
        {
            Evidence = await locker.ListAsync(id, visibility, ct);
            Workers = await ConsoleLookups.WorkersAsync(db, await current.ScopeAsync(ct), [Role.Admin, Role.SocAnalyst, Role.SecurityOfficer], ct);
        }
        return Page();
    }

    private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string Left(TimeSpan? left) => left is { } l ? ClockText.Describe(l, Language) : "";

    /// <summary>An event search for an observable: its value wherever it appears, over the last month.</summary>
    public static string Pivot(IncidentObservable o) => o.Kind switch
    {
        "address" => EventSearchLinks.For("source.ip", o.Value, "now-30d"),
        "host" => EventSearchLinks.For("host.name", o.Value, "now-30d"),
        "account" => EventSearchLinks.For("user.name", o.Value, "now-30d"),
        _ => $"/events?q={Uri.EscapeDataString("\"" + o.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")}&from=now-30d",
    };
}
