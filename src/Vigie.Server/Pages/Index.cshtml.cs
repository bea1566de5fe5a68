using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Incidents;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;
using RoleNames = Vigie.Core.Identity.Roles;

namespace Vigie.Server.Pages;

/// <summary>
/// The overview: events per second and per establishment, alerts by severity and status, open incidents with their
/// clocks, top rules and the last 24 hours, at a glance, within the user's scope narrowed by the switcher.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme)]
internal sealed class IndexModel(CurrentUser current, ConsoleFocus focus, VigieDbContext db, EstablishmentIndex index, IEventStore events,
    IncidentQualifier qualifier, Vigie.Core.Privacy.PatientPseudonyms pseudonyms) : ConsolePage
{
    public sealed record EventRow(string Time, string Iso, string Action, string Actor, string? Target, string? Establishment, string Outcome);

    public sealed record IncidentRow(Incident Incident, string? Establishment, IReadOnlyList<RegulatoryClocks.Clock> Clocks);

    public IReadOnlyList<string> Roles { get; private set; } = [];
    public string? EstablishmentName { get; private set; }
    public string? FocusName { get; private set; }
    public int EstablishmentCount { get; private set; }
    public int UserCount { get; private set; }
    public int CollectorCount { get; private set; }
    public IReadOnlyList<EventRow>? Events { get; private set; }

    /// <summary>Whether the user works on alerts and events (the charts are theirs).</summary>
    public bool Operations { get; private set; }
    public double EventsPerSecond { get; private set; }
    public long EventsLastDay { get; private set; }
    public int OpenAlerts { get; private set; }
    public int UrgentAlerts { get; private set; }
    public int OpenIncidents { get; private set; }
    public IReadOnlyList<SvgChart.Bar> EventHours { get; private set; } = [];
    public IReadOnlyList<SvgChart.Stack> AlertHours { get; private set; } = [];
    public IReadOnlyList<SvgChart.Stack> AlertsBySeverity { get; private set; } = [];
    public IReadOnlyList<SvgChart.Bar> EventsByEstablishment { get; private set; } = [];
    public IReadOnlyList<SvgChart.Bar> TopRules { get; private set; } = [];
    public IReadOnlyList<IncidentRow> Incidents { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var scope = await focus.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        Zone = await focus.TimeZoneAsync(ct);
        Roles = current.Roles;
        var own = current.EstablishmentId is { } id && all.TryGetValue(id, out var found) ? found : null;
        EstablishmentName = own?.Name;
        FocusName = (await focus.FocusedAsync(ct))?.Name;
        EstablishmentCount = all.Values.Count(e => scope.Contains(e.Id));
        var users = db.Users.AsNoTracking();
        var collectors = db.Collectors.AsNoTracking().Where(c => c.RevokedAt == null);
        if (ConsoleLookups.Ids(scope) is { } scoped)
        {
            users = users.Where(u => scoped.Contains(u.EstablishmentId));
            collectors = collectors.Where(c => scoped.Contains(c.EstablishmentId));
        }
        UserCount = await users.CountAsync(ct);
        CollectorCount = await collectors.CountAsync(ct);

        Operations = current.Roles.Any(r => r is RoleNames.Admin or RoleNames.SocAnalyst or RoleNames.SecurityOfficer or RoleNames.Dpo);
        if (!Operations)
            return;
        var now = DateTime.UtcNow;
        await EventFiguresAsync(scope, all, now, ct);
        await AlertFiguresAsync(scope, now, ct);
        await IncidentFiguresAsync(scope, all, ct);

        var query = db.SecurityEvents.AsNoTracking();
        if (ConsoleLookups.Ids(scope) is { } ids)
        {
            var nullable = ids.Select(i => (Guid?)i).ToList();
            query = query.Where(e => nullable.Contains(e.EstablishmentId));
        }
        Events = (await query.OrderByDescending(e => e.Id).Take(12).ToListAsync(ct))
            .Select(e => new EventRow(When(e.Time), Iso(e.Time), e.Type.Action(), e.Actor, SecurityEventLiveSource.ShownTarget(e.Target, pseudonyms), ConsoleLookups.Code(e.EstablishmentId, all),
                e.Type.IsFailure() ? "failure" : "success"))
            .ToList();
    }

    private async Task EventFiguresAsync(AccessScope scope, IReadOnlyDictionary<Guid, Establishment> all, DateTime now, CancellationToken ct)
    {
        // The last 24 hours by hour, aligned on hours so that bars read as o'clock.
        var end = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
        var start = end.AddHours(-24);
        var hours = await events.HistogramAsync(new EventSearch(null, start, end, scope), TimeSpan.FromHours(1), ct);
        var byHour = hours.ToDictionary(b => DateTime.SpecifyKind(b.Start, DateTimeKind.Utc), b => b.Count);
        EventHours = Enumerable.Range(0, 24).Select(i =>
        {
            var h = start.AddHours(i);
            var count = byHour.GetValueOrDefault(h);
            var label = LocalHour(h);
            return new SvgChart.Bar(label, count, $"{label}: {Number(count)} {T("events")}",
                $"/events?from={Uri.EscapeDataString(UtcIso(h))}&to={Uri.EscapeDataString(UtcIso(h.AddHours(1)))}");
        }).ToList();
        EventsLastDay = hours.Sum(b => b.Count);

        // Events per second: the last five minutes, per establishment of the scope that received any.
        var recent = now.AddMinutes(-5);
        var daily = await events.CountByEstablishmentAsync(new EventSearch(null, start, end, scope), ct);
        var lately = await events.CountByEstablishmentAsync(new EventSearch(null, recent, now, scope), ct);
        long total = 0;
        var perEstablishment = new List<SvgChart.Bar>();
        foreach (var (id, day) in daily)
        {
            if (!all.TryGetValue(id, out var e))
                continue;
            var last5 = lately.GetValueOrDefault(id);
            total += last5;
            perEstablishment.Add(new SvgChart.Bar(e.Code, day, $"{e.Code}: {Number(day)} {T("events in 24 h")}, {last5 / 300.0:0.##} {T("per second now")}",
                $"/events?q={Uri.EscapeDataString(EventSearchLinks.Term("organization.id", e.Code))}&from=now-24h"));
        }
        EventsByEstablishment = perEstablishment.OrderByDescending(b => b.Value).ThenBy(b => b.Label, StringComparer.Ordinal).Take(12).ToList();
        EventsPerSecond = total / 300.0;
    }

    private async Task AlertFiguresAsync(AccessScope scope, DateTime now, CancellationToken ct)
    {
        var visibility = AlertVisibility.For(scope, current.Roles);
        var alerts = visibility.Apply(db.Alerts.AsNoTracking());
        var grid = await alerts.GroupBy(a => new { a.Severity, a.Status }).Select(g => new { g.Key.Severity, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        OpenAlerts = grid.Where(g => g.Status != AlertStatus.Closed).Sum(g => g.Count);
        UrgentAlerts = grid.Where(g => g.Status != AlertStatus.Closed && g.Severity >= AlertSeverity.High).Sum(g => g.Count);
        AlertsBySeverity = AlertSeverities.All.Reverse().Select(name =>
        {
            AlertSeverities.TryParse(name, out var severity);
            return new SvgChart.Stack(T(name), AlertStatuses.All.Select(s =>
            {
                AlertStatuses.TryParse(s, out var status);
                return new SvgChart.Segment(s, grid.Where(g => g.Severity == severity && g.Status == status).Sum(g => g.Count));
            }).ToList(), $"/alerts?severity={name}&status=all");
        }).ToList();

        var end = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
        var start = end.AddHours(-24);
        var day = await alerts.Where(a => a.CreatedAt >= start).Select(a => new { a.CreatedAt, a.Severity }).ToListAsync(ct);
        AlertHours = Enumerable.Range(0, 24).Select(i =>
        {
            var h = start.AddHours(i);
            var inHour = day.Where(a => a.CreatedAt >= h && a.CreatedAt < h.AddHours(1)).ToList();
            return new SvgChart.Stack(LocalHour(h), AlertSeverities.All.Select(s =>
            {
                AlertSeverities.TryParse(s, out var severity);
                return new SvgChart.Segment(s, inHour.Count(a => a.Severity == severity));
            }).ToList());
        }).ToList();

        // Top rules: the rules behind the most detections grouped into alerts over the last seven days.
        var week = now.AddDays(-7);
        var rules = await alerts.Where(a => a.LastSeen >= week).GroupBy(a => new { a.RuleId, a.Title })
            .Select(g => new { g.Key.RuleId, g.Key.Title, Detections = g.Sum(a => a.Count), Alerts = g.Count() })
            .OrderByDescending(r => r.Detections).Take(8).ToListAsync(ct);
        TopRules = rules.Select(r => new SvgChart.Bar(r.Title, r.Detections, $"{r.Title}: {Number(r.Detections)} {T("detections")}, {Number(r.Alerts)} {T("alerts")}",
            $"/alerts?rule={Uri.EscapeDataString(r.RuleId)}&status=all")).ToList();
    }

    private async Task IncidentFiguresAsync(AccessScope scope, IReadOnlyDictionary<Guid, Establishment> all, CancellationToken ct)
    {
        var visibility = IncidentVisibility.For(scope, current.Roles);
        var open = visibility.Apply(db.Incidents.AsNoTracking()).Where(i => i.Status != IncidentStatus.Closed);
        OpenIncidents = await open.CountAsync(ct);
        var list = await open.OrderByDescending(i => i.Severity).ThenByDescending(i => i.Id).Take(6).ToListAsync(ct);
        var ids = list.Select(i => i.Id).ToList();
        var notifications = (await db.IncidentNotifications.AsNoTracking().Where(n => ids.Contains(n.IncidentId)).ToListAsync(ct)).ToLookup(n => n.IncidentId);
        Incidents = list.Select(i =>
        {
            i.Notifications = notifications[i.Id].ToList();
            return new IncidentRow(i, ConsoleLookups.Code(i.EstablishmentId, all), qualifier.Clocks(i).Where(c => c.Status is "running" or "overdue").Take(3).ToList());
        }).ToList();
    }

    private string LocalHour(DateTime utc) => Vigie.Core.Time.LocalTime.ToZone(utc, Zone).ToString("HH'h'", System.Globalization.CultureInfo.InvariantCulture);

    public string Left(TimeSpan? left) => left is { } l ? ClockText.Describe(l, Language) : "";

    public IReadOnlyList<SvgChart.Series> SeverityLegend => AlertSeverities.All.Reverse().Select(s => new SvgChart.Series(s, T(s), "sev-" + s)).ToList();

    public IReadOnlyList<SvgChart.Series> StatusLegend => AlertStatuses.All.Select(s => new SvgChart.Series(s, T("alert", s), "st-" + s)).ToList();
}
