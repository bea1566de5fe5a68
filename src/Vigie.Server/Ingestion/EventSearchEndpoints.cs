using System.Globalization;
using System.Text;
using Vigie.Core;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;


namespace Vigie.Server.Ingestion;

/// <summary>Event search and histogram, within the caller's scope.</summary>
internal static class EventSearchEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/events", SearchAsync).WithTags("Events")
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo)
            .WithSummary("Search events, newest first: q (field:value, wildcards, \"phrases\", AND/OR/NOT, (), [a TO b], >=, _exists_:field, free text), from, to, limit (1–1000), cursor.");
        app.MapGet("/api/v1/events/{id:long}", FindAsync).WithTags("Events")
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo)
            .WithSummary("One stored event by its id (the event_id of a detection); 404 outside the caller's scope.");
        app.MapGet("/api/v1/events/histogram", HistogramAsync).WithTags("Events")
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo)
            .WithSummary("Counts of matching events over time: q, from, to (default the last 24 hours), interval (30s, 5m, 1h, 1d; chosen when absent).");
    }

    public static QueryNode? ParseQuery(string? q)
    {
        try
        {
            return EventQueryParser.Parse(q);
        }
        catch (QuerySyntaxException e)
        {
            throw VigieException.Invalid(e.Message);
        }
    }

    public static DateTime? ParseTime(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return QueryTime.TryParse(text, out var time, out _) ? time
            : throw VigieException.Invalid($"{name} '{text}' is not a time (use 2026-03-01, 2026-03-01T08:00:00Z or now-7d)");
    }

    private static async Task<IResult> SearchAsync(CurrentUser current, IEventStore events, EstablishmentIndex index,
        string? q, string? from, string? to, int? limit, string? cursor, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
            throw VigieException.Invalid("limit must be between 1 and 1000");
        var search = new EventSearch(ParseQuery(q), ParseTime("from", from), ParseTime("to", to), await current.ScopeAsync(ct), limit ?? 100,
            cursor is { Length: > 0 } ? EventCursor.Decode(cursor) : null);
        var page = await events.SearchAsync(search, ct);
        var all = await index.GetAsync(ct);
        var json = new StringBuilder(256 + page.Events.Sum(e => e.Json.Length + 64));
        json.Append("{\"total\":").Append(page.Total.ToString(CultureInfo.InvariantCulture))
            .Append(",\"total_exact\":").Append(page.TotalExact ? "true" : "false")
            .Append(",\"events\":[");
        for (var i = 0; i < page.Events.Count; i++)
        {
            var e = page.Events[i];
            if (i > 0)
                json.Append(',');
            // The stored document, with the store's id in front: "_id" reads like a search hit's id.
            json.Append("{\"_id\":").Append(e.Id.ToString(CultureInfo.InvariantCulture));
            if (all.TryGetValue(e.EstablishmentId, out var est))
                json.Append(",\"_establishment\":\"").Append(System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(est.Code)).Append('"');
            var doc = e.Json.AsSpan().Trim();
            if (doc.Length > 2)
                json.Append(',').Append(doc[1..]);
            else
                json.Append('}');
        }
        json.Append("],\"next_cursor\":");
        json.Append(page.Next is null ? "null" : "\"" + page.Next.Encode() + "\"");
        json.Append('}');
        return Results.Text(json.ToString(), "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> FindAsync(long id, CurrentUser current, IEventStore events, EstablishmentIndex index, CancellationToken ct)
    {
        var found = await events.FindAsync(id, ct);
        var scope = await current.ScopeAsync(ct);
        if (found is null || !scope.Contains(found.EstablishmentId))
            throw VigieException.NotFound($"event {id} does not exist");
        var all = await index.GetAsync(ct);
        var code = all.TryGetValue(found.EstablishmentId, out var est) ? est.Code : "";
        var doc = found.Json.AsSpan().Trim();
        var json = $"{{\"_id\":{found.Id.ToString(CultureInfo.InvariantCulture)},\"_establishment\":\"{System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(code)}\"" + (doc.Length > 2 ? "," + doc[1..].ToString() : "}");
        return Results.Text(json, "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> HistogramAsync(CurrentUser current, IEventStore events, string? q, string? from, string? to, string? interval, CancellationToken ct)
    {
        var end = ParseTime("to", to) ?? DateTime.UtcNow;
        var start = ParseTime("from", from) ?? end.AddDays(-1);
        if (start >= end)
            throw VigieException.Invalid("from must be before to");
        var width = interval is { Length: > 0 } ? ParseInterval(interval) : AutoInterval(end - start);
        if ((end - start) / width > 10_000)
            throw VigieException.Invalid($"interval {interval} gives more than 10000 buckets over this range; choose a wider one");
        var search = new EventSearch(ParseQuery(q), start, end, await current.ScopeAsync(ct));
        var buckets = await events.HistogramAsync(search, width, ct);
        return Results.Ok(new
        {
            from = start,
            to = end,
            interval = FormatInterval(width),
            total = buckets.Sum(b => b.Count),
            buckets = buckets.Select(b => new { start = b.Start, count = b.Count }),
        });
    }

    private static readonly TimeSpan[] Widths =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(7),
    ];

    /// <summary>The narrowest usual width giving at most about 100 buckets.</summary>
    public static TimeSpan AutoInterval(TimeSpan range) => Widths.FirstOrDefault(w => range / w <= 100, TimeSpan.FromDays(30));

    public static TimeSpan ParseInterval(string text)
    {
        var t = text.Trim();
        if (t.Length >= 2 && int.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            TimeSpan? unit = t[^1] switch { 's' => TimeSpan.FromSeconds(1), 'm' => TimeSpan.FromMinutes(1), 'h' => TimeSpan.FromHours(1), 'd' => TimeSpan.FromDays(1), 'w' => TimeSpan.FromDays(7), _ => null };
            if (unit is { } u && n <= 100_000)
                return n * u;
        }
        throw VigieException.Invalid($"interval '{text}' is not understood (use 30s, 5m, 1h, 1d, 1w)");
    }

    public static string FormatInterval(TimeSpan w) =>
        w.TotalDays >= 1 && w.TotalDays % 1 == 0 ? $"{w.TotalDays:0}d" : w.TotalHours >= 1 && w.TotalHours % 1 == 0 ? $"{w.TotalHours:0}h"
        : w.TotalMinutes >= 1 && w.TotalMinutes % 1 == 0 ? $"{w.TotalMinutes:0}m" : $"{w.TotalSeconds:0}s";
}
