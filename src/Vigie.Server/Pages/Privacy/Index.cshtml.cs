using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Privacy;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Privacy;

/// <summary>
/// Privacy investigations: the people whose accesses raised privacy alerts, every access of one user on a timeline,
/// and a patient's access report (everyone who opened the record). The patient is posted in the form body, never
/// put in a URL; patients appear only as pseudonyms. Accesses made outside the user's scope are left out.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class PrivacyModel(CurrentUser current, ConsoleFocus focus, PrivacyInvestigation investigation, VigieDbContext db) : ConsolePage
{
    public sealed record Suspect(string User, int Alerts, int Open, int? MaxRisk, DateTime LastSeen);

    public sealed record Access(PrivacyAccess Item, IReadOnlyList<string> Facts);

    [BindProperty(SupportsGet = true, Name = "user")] public string? Person { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public IReadOnlyList<Suspect> Suspects { get; private set; } = [];
    public PrivacyInvestigation.UserView? UserView { get; private set; }
    public PrivacyInvestigation.PatientView? PatientView { get; private set; }
    public IReadOnlyList<Access> Accesses { get; private set; } = [];
    public IReadOnlyList<SvgChart.Stack> Days { get; private set; } = [];

    public IReadOnlyList<SvgChart.Series> DayLegend =>
        [new("ordinary", T("ordinary accesses"), "bar"), new("suspicious", T("suspicious accesses"), "sev-high")];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadSuspectsAsync(ct);
        if (string.IsNullOrWhiteSpace(Person))
            return;
        var scope = await focus.ScopeAsync(ct);
        await TryAsync(async () =>
        {
            var view = await investigation.UserAsync(Person, Time(From), Time(To), scope, AlertVisibility.For(scope, current.Roles), ct);
            UserView = view;
            Show(view.Items, view.From, view.To);
        });
    }

    /// <summary>A patient's access report: the identifier (or pseudonym) comes in the body, so no log or history keeps it.</summary>
    public async Task<IActionResult> OnPostPatientAsync(string? patient, string? from, string? to, CancellationToken ct)
    {
        await LoadSuspectsAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        await TryAsync(async () =>
        {
            var view = await investigation.PatientAsync(patient, Time(from), Time(to), scope, ct);
            PatientView = view;
            Show(view.Items, view.From, view.To);
        });
        return Page();
    }

    private void Show(IReadOnlyList<PrivacyAccess> items, DateTime from, DateTime to)
    {
        Accesses = items.OrderByDescending(a => a.Time).Select(a => new Access(a, Facts(a.Facts))).ToList();
        // One bar per day of the period (at most 60, the last ones), suspicious accesses on top.
        var days = (int)Math.Ceiling((to - from).TotalDays);
        var first = to.Date.AddDays(-Math.Min(days, 60) + 1);
        Days = Enumerable.Range(0, (to.Date - first).Days + 1).Select(i =>
        {
            var day = first.AddDays(i);
            var inDay = items.Where(a => a.Time >= day && a.Time < day.AddDays(1)).ToList();
            var suspicious = inDay.Count(a => a.RiskScore is not null);
            return new SvgChart.Stack(Vigie.Core.Time.LocalTime.ToZone(day.AddHours(12), Zone).ToString("dd/MM", System.Globalization.CultureInfo.InvariantCulture),
                [new SvgChart.Segment("ordinary", inDay.Count - suspicious), new SvgChart.Segment("suspicious", suspicious)]);
        }).ToList();
    }

    private async Task LoadSuspectsAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        var since = DateTime.UtcNow.AddDays(-30);
        var alerts = await AlertVisibility.For(scope, current.Roles).Apply(db.Alerts.AsNoTracking())
            .Where(a => a.Category == AlertCategory.Privacy && a.LastSeen >= since && a.Entity != null && a.Entity.StartsWith("user:"))
            .Select(a => new { a.Entity, a.Status, a.RiskScore, a.LastSeen }).ToListAsync(ct);
        Suspects = alerts.GroupBy(a => a.Entity![5..])
            .Select(g => new Suspect(g.Key, g.Count(), g.Count(a => a.Status != AlertStatus.Closed), g.Max(a => a.RiskScore), g.Max(a => a.LastSeen)))
            .OrderByDescending(s => s.Open).ThenByDescending(s => s.MaxRisk ?? 0).Take(15).ToList();
    }

    private static DateTime? Time(string? text) => Ingestion.EventSearchEndpoints.ParseTime("period", text);

    private static IReadOnlyList<string> Facts(string? json)
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
}
