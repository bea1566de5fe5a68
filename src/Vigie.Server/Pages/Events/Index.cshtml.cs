using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Privacy;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Ingestion;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Events;

/// <summary>
/// Event search: the query language in a search bar, a time range (presets or typed: <c>now-24h</c>, a date),
/// a histogram whose bars zoom in, and results whose fields unfold and pivot into new searches. Within the
/// user's scope narrowed by the switcher.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class EventSearchModel(ConsoleFocus focus, IEventStore events, EstablishmentIndex index, PatientPseudonyms pseudonyms) : ConsolePage
{
    public const int PageSize = 50;

    /// <summary>Fields unfolded in the result list (the summary's first, then the rest in name order); the event page has them all.</summary>
    public const int FieldsShown = 16;

    public sealed record Row(StoredEvent Event, string? Establishment, string Summary, IReadOnlyList<KeyValuePair<string, string>> Fields);

    public static IReadOnlyList<(string From, string Label)> Presets { get; } =
        [("now-15m", "15 min"), ("now-1h", "1 h"), ("now-24h", "24 h"), ("now-7d", "7 d"), ("now-30d", "30 d")];

    /// <summary>The fields a result line shows first, in this order, when the event has them.</summary>
    private static readonly string[] SummaryFields =
        ["event.dataset", "event.action", "event.outcome", "user.name", "host.name", "source.ip", "destination.ip", "process.command_line", "CommandLine", "url.full", "message"];

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public string? From { get; set; }
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public string? To { get; set; }
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public long Total { get; private set; }
    public bool TotalExact { get; private set; } = true;
    public string? NextCursor { get; private set; }
    public IReadOnlyList<SvgChart.Bar> Histogram { get; private set; } = [];
    public string Interval { get; private set; } = "";
    public bool Searched { get; private set; }

    public string EffectiveFrom => string.IsNullOrWhiteSpace(From) ? "now-24h" : From;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        await TryAsync(async () =>
        {
            var query = EventSearchEndpoints.ParseQuery(Q);
            var start = EventSearchEndpoints.ParseTime("from", EffectiveFrom)!.Value;
            var end = EventSearchEndpoints.ParseTime("to", To) ?? DateTime.UtcNow;
            if (start >= end)
                throw Vigie.Core.VigieException.Invalid("'from' must be before 'to'");
            Searched = true;

            var width = EventSearchEndpoints.AutoInterval(end - start);
            Interval = EventSearchEndpoints.FormatInterval(width);
            var buckets = await events.HistogramAsync(new EventSearch(query, start, end, scope), width, ct);
            var counts = buckets.ToDictionary(b => DateTime.SpecifyKind(b.Start, DateTimeKind.Utc), b => b.Count);
            var first = new DateTime(start.Ticks - start.Ticks % width.Ticks, DateTimeKind.Utc);
            var bars = new List<SvgChart.Bar>();
            for (var t = first; t < end && bars.Count < 400; t += width)
            {
                var count = counts.GetValueOrDefault(t);
                var label = Label(t, width);
                bars.Add(new SvgChart.Bar(label, count, $"{When(t)}: {Number(count)} {T("events")}",
                    Link(Q, UtcIso(t < start ? start : t), UtcIso(t + width > end ? end : t + width), null)));
            }
            Histogram = bars;

            var page = await events.SearchAsync(new EventSearch(query, start, end, scope, PageSize,
                string.IsNullOrEmpty(Cursor) ? null : EventCursor.Decode(Cursor)), ct);
            Total = page.Total;
            TotalExact = page.TotalExact;
            NextCursor = page.Next?.Encode();
            Items = page.Events.Select(e => ToRow(e, all)).ToList();
        });
    }

    private Row ToRow(StoredEvent e, IReadOnlyDictionary<Guid, Establishment> all)
    {
        var fields = Fields(e.Json, pseudonyms);
        var map = fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var summary = new StringBuilder();
        foreach (var name in SummaryFields)
        {
            if (!map.TryGetValue(name, out var value) || value.Length == 0)
                continue;
            if (summary.Length > 0)
                summary.Append("  ");
            summary.Append(name).Append('=').Append(value.Length > 120 ? value[..119] + "…" : value);
            if (summary.Length > 300)
                break;
        }
        var first = SummaryFields.Where(map.ContainsKey).Select(f => new KeyValuePair<string, string>(f, map[f]));
        var ordered = first.Concat(fields.Where(f => !SummaryFields.Contains(f.Key))).ToList();
        return new Row(e, ConsoleLookups.Code(e.EstablishmentId, all), summary.ToString(), ordered);
    }

    /// <summary>
    /// An event's fields, flattened and sorted, with patients shown only as pseudonyms: the console follows the rule
    /// of alerts and the privacy index (an investigator who knows an identifier can still search for it).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Fields(string json, PatientPseudonyms pseudonyms)
    {
        Dictionary<string, string> flat;
        try
        {
            using var doc = JsonDocument.Parse(json);
            flat = JsonEventFields.Flatten(doc.RootElement);
        }
        catch (JsonException)
        {
            return [new("event.original", json)];
        }
        if (flat.TryGetValue(AlertFields.PatientField, out var patient))
        {
            flat.Remove(AlertFields.PatientField);
            flat[AlertFields.PatientPseudonymField] = PatientPseudonyms.IsPseudonym(patient) ? patient : pseudonyms.Of(patient);
        }
        flat.Remove("vigie.patient.resource_id");
        return flat.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
    }

    private string Label(DateTime utc, TimeSpan width)
    {
        var local = Vigie.Core.Time.LocalTime.ToZone(utc, Zone);
        return width >= TimeSpan.FromDays(1) ? local.ToString("dd/MM", System.Globalization.CultureInfo.InvariantCulture)
            : width >= TimeSpan.FromHours(1) ? local.ToString("HH'h'", System.Globalization.CultureInfo.InvariantCulture)
            : local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Link(string? q, string? from, string? to, string? cursor)
    {
        var sb = new StringBuilder("/events?");
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                sb.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }
        Add("q", q);
        Add("from", from);
        Add("to", to);
        Add("cursor", cursor);
        return sb.ToString().TrimEnd('&', '?');
    }

    /// <summary>This search with another query (same time range), for pivots.</summary>
    public string With(string q) => Link(q, From, To, null);

    /// <summary>The current query narrowed (AND) or excluding (AND NOT) one value.</summary>
    public string Narrow(string field, string value, bool exclude)
    {
        var term = (exclude ? "NOT " : "") + EventSearchLinks.Term(field, value);
        return With(string.IsNullOrWhiteSpace(Q) ? term : $"({Q}) AND {term}");
    }
}
