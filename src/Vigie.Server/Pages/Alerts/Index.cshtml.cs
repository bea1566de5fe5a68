using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Alerts;

/// <summary>
/// The alert queue: filters in the query string (bookmarkable), newest first in pages, bulk acknowledge, assign
/// and close, and new alerts inserted live. Lists follow the establishment switcher within the user's scope.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class AlertQueueModel(CurrentUser current, ConsoleFocus focus, AlertQueue queue, AlertTriage triage, EstablishmentIndex index, VigieDbContext db) : ConsolePage
{
    public const int PageSize = 50;

    public sealed record Row(Alert Alert, string? Establishment, string? Assignee);

    /// <summary>open (new and acknowledged, the default), new, acknowledged, closed or all.</summary>
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Severity { get; set; }
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public string? Establishment { get; set; }
    [BindProperty(SupportsGet = true)] public string? Rule { get; set; }
    [BindProperty(SupportsGet = true)] public string? Assignee { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public IReadOnlyList<(Establishment Establishment, int Depth)> Choices { get; private set; } = [];
    public IReadOnlyList<string> Workers { get; private set; } = [];

    public static IReadOnlyList<string> StatusChoices { get; } = ["open", "new", "acknowledged", "closed", "all"];

    /// <summary>New alerts are inserted live only into the first page of a queue whose filters the browser can check.</summary>
    public bool Live => Cursor is null && string.IsNullOrEmpty(Rule) && string.IsNullOrEmpty(Assignee) && string.IsNullOrEmpty(Establishment)
        && EffectiveStatus is null or "new,acknowledged" or "new";

    private string? EffectiveStatus => (Status ?? "open") switch
    {
        "open" => "new,acknowledged",
        "all" => null,
        var s => s,
    };

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostBulkAsync(long[] ids, string? bulk, string? resolution, string? reason, string? assignTo, CancellationToken ct)
    {
        var visibility = AlertVisibility.For(await current.ScopeAsync(ct), current.Roles);
        if (ids.Length == 0)
        {
            Problem = T("Select at least one alert.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync(ct);
            return Page();
        }
        var done = 0;
        var refused = new List<string>();
        foreach (var id in ids.Distinct())
        {
            try
            {
                switch (bulk)
                {
                    case "acknowledge":
                        await triage.AcknowledgeAsync(id, null, current.Actor, visibility, ct);
                        break;
                    case "close":
                        await triage.CloseAsync(id, resolution, reason, current.Actor, visibility, ct);
                        break;
                    case "assign":
                        await triage.AssignAsync(id, string.IsNullOrWhiteSpace(assignTo) ? null : assignTo, current.Actor, visibility, ct);
                        break;
                    default:
                        throw VigieException.Invalid($"'{bulk}' is not an action on alerts");
                }
                done++;
            }
            catch (VigieException e)
            {
                refused.Add(e.Message);
                db.ChangeTracker.Clear();
            }
        }
        if (done > 0)
            Notice = $"{T(bulk switch { "acknowledge" => "Acknowledged", "close" => "Closed", _ => "Assigned" })}{Colon}{done}";
        if (refused.Count > 0)
        {
            // One reason per distinct refusal: closing twenty closed alerts says it once, with how many.
            Problem = string.Join(" · ", refused.GroupBy(r => System.Text.RegularExpressions.Regex.Replace(r, @"alert \d+", "alert"))
                .Select(g => g.Count() == 1 ? g.First() : $"{g.Key} (×{g.Count()})"));
            if (done == 0)
                Response.StatusCode = StatusCodes.Status409Conflict;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        Choices = await focus.ChoicesAsync(ct);
        if (!scope.IsEverything)
            Choices = Choices.Where(c => scope.Contains(c.Establishment.Id)).ToList();
        Workers = await ConsoleLookups.WorkersAsync(db, scope, [Role.Admin, Role.SocAnalyst, Role.SecurityOfficer, Role.Dpo], ct);
        var page = await TryLoadAsync(() => queue.ListAsync(
            new AlertQueue.Query(EffectiveStatus, Severity, Establishment, Category, Rule, Assignee, Cursor, PageSize),
            AlertVisibility.For(scope, current.Roles), ct));
        if (page is null)
            return;
        var users = await ConsoleLookups.UsernamesAsync(db, page.Items.Select(a => a.AssigneeId), ct);
        Items = page.Items.Select(a => new Row(a, ConsoleLookups.Code(a.EstablishmentId, all),
            a.AssigneeId is { } u && users.TryGetValue(u, out var name) ? name : null)).ToList();
        NextCursor = page.NextCursor;
    }

    /// <summary>Where bulk actions post: this very queue, so the page that comes back keeps its filters.</summary>
    public string BulkAction => Link(Cursor) is var link && link.Contains('?') ? link + "&handler=Bulk" : link + "?handler=Bulk";

    /// <summary>This queue's address with the same filters and another page.</summary>
    public string Link(string? cursor)
    {
        var q = new StringBuilder("/alerts?");
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                q.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }
        Add("status", Status);
        Add("severity", Severity);
        Add("category", Category);
        Add("establishment", Establishment);
        Add("rule", Rule);
        Add("assignee", Assignee);
        Add("cursor", cursor);
        return q.ToString().TrimEnd('&', '?');
    }
}
