using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Incidents;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Incidents;

/// <summary>Incidents in view (DPOs: those involving personal data), their nearest regulatory deadline, and opening one.</summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class IncidentListModel(CurrentUser current, ConsoleFocus focus, IncidentQueue queue, IncidentDesk desk, IncidentQualifier qualifier,
    EstablishmentIndex index, VigieDbContext db) : ConsolePage
{
    public const int PageSize = 50;

    public sealed record Row(Incident Incident, string? Establishment, string? Assignee, int Alerts, RegulatoryClocks.Clock? NextClock);

    /// <summary>open (open and contained, the default), closed or all.</summary>
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Severity { get; set; }
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public string? Establishment { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public IReadOnlyList<(Establishment Establishment, int Depth)> Choices { get; private set; } = [];
    public bool Responder { get; private set; }
    public DateTime Now { get; } = DateTime.UtcNow;

    public static IReadOnlyList<string> StatusChoices { get; } = ["open", "contained", "closed", "all"];

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(string? title, string? type, string? severity, string? establishment, string? description, CancellationToken ct)
    {
        Incident? created = null;
        if (await TryAsync(async () =>
            {
                var visibility = IncidentVisibility.For(await current.ScopeAsync(ct), current.Roles);
                created = await desk.CreateAsync(new IncidentDesk.NewIncident(title, [], string.IsNullOrEmpty(severity) ? null : severity,
                    string.IsNullOrEmpty(type) ? null : type, Establishment: string.IsNullOrEmpty(establishment) ? null : establishment, Description: description), current.Actor, visibility, ct);
            }))
            return Redirect($"/incidents/{created!.Id}");
        db.ChangeTracker.Clear();
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        var visibility = IncidentVisibility.For(scope, current.Roles);
        Responder = visibility.Responder;
        Choices = (await focus.ChoicesAsync(ct)).Where(c => scope.Contains(c.Establishment.Id)).ToList();
        var status = (Status ?? "open") switch
        {
            "open" => "open,contained",
            "all" => null,
            var s => s,
        };
        var page = await TryLoadAsync(() => queue.ListAsync(new IncidentQueue.Query(status, Severity, Type, Establishment, Cursor, PageSize), visibility, ct));
        if (page is null)
            return;
        var ids = page.Items.Select(i => i.Id).ToList();
        var notifications = (await db.IncidentNotifications.AsNoTracking().Where(n => ids.Contains(n.IncidentId)).ToListAsync(ct)).ToLookup(n => n.IncidentId);
        var alertCounts = await db.Alerts.AsNoTracking().Where(a => a.IncidentId != null && ids.Contains(a.IncidentId.Value))
            .GroupBy(a => a.IncidentId!.Value).Select(g => new { Id = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Id, x => x.Count, ct);
        var users = await ConsoleLookups.UsernamesAsync(db, page.Items.Select(i => i.AssigneeId), ct);
        var all = await index.GetAsync(ct);
        Items = page.Items.Select(i =>
        {
            i.Notifications = notifications[i.Id].ToList();
            // The clock that matters most: the first still running or overdue.
            var next = i.Status == IncidentStatus.Closed ? null : qualifier.Clocks(i).FirstOrDefault(c => c.Status is "running" or "overdue");
            return new Row(i, ConsoleLookups.Code(i.EstablishmentId, all), i.AssigneeId is { } u && users.TryGetValue(u, out var n) ? n : null,
                alertCounts.GetValueOrDefault(i.Id), next);
        }).ToList();
        NextCursor = page.NextCursor;
    }

    public string Link(string? cursor)
    {
        var q = new StringBuilder("/incidents?");
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                q.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }
        Add("status", Status);
        Add("severity", Severity);
        Add("type", Type);
        Add("establishment", Establishment);
        Add("cursor", cursor);
        return q.ToString().TrimEnd('&', '?');
    }

    /// <summary>"2 d 3 h left" or "overdue by 4 h", in the reader's language.</summary>
    public string Left(TimeSpan? left) => left is { } l ? ClockText.Describe(l, Language) : "";
}
