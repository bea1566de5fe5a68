using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Ingestion;

/// <summary><c>GET /api/v1/detections</c>: rule matches, newest first, within the caller's scope.</summary>
internal static class DetectionEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/detections", ListAsync).WithTags("Detection")
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer)
            .WithSummary("Detections (a rule matched an event, or a correlation fired), newest first: filter by from, to (event time), rule, level, establishment; page with before_id.");
    }

    private static readonly string[] Levels = ["informational", "low", "medium", "high", "critical"];

    private static async Task<IResult> ListAsync(CurrentUser current, VigieDbContext db, EstablishmentIndex index,
        string? from, string? to, string? rule, string? level, string? establishment, long? beforeId, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
            throw VigieException.Invalid("limit must be between 1 and 1000");
        var take = limit ?? 100;
        var scope = await current.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        var query = db.Detections.AsNoTracking().AsQueryable();
        if (!scope.IsEverything)
        {
            var ids = scope.Ids!.ToList();
            query = query.Where(d => ids.Contains(d.EstablishmentId));
        }
        if (establishment is not null)
        {
            var est = all.Values.FirstOrDefault(e => e.Code == establishment);
            if (est is null || !scope.Contains(est.Id))
                throw VigieException.NotFound($"establishment '{establishment}' does not exist");
            query = query.Where(d => d.EstablishmentId == est.Id);
        }
        if (EventSearchEndpoints.ParseTime("from", from) is { } f)
            query = query.Where(d => d.EventTime >= f);
        if (EventSearchEndpoints.ParseTime("to", to) is { } t)
            query = query.Where(d => d.EventTime < t);
        if (rule is not null)
            query = query.Where(d => d.RuleId == rule);
        if (level is not null)
        {
            var index0 = Array.IndexOf(Levels, level);
            if (index0 < 0)
                throw VigieException.Invalid($"level '{level}' is unknown (informational, low, medium, high, critical)");
            var atLeast = Levels[index0..].ToList();
            query = query.Where(d => atLeast.Contains(d.Level));
        }
        if (beforeId is { } before)
            query = query.Where(d => d.Id < before);
        var items = await query.OrderByDescending(d => d.Id).Take(take).ToListAsync(ct);
        return Results.Ok(new
        {
            items = items.Select(d => new
            {
                id = d.Id,
                rule_id = d.RuleId,
                rule_title = d.RuleTitle,
                level = d.Level,
                tags = d.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                event_id = d.EventId,
                event_time = d.EventTime,
                establishment = all.TryGetValue(d.EstablishmentId, out var e) ? e.Code : null,
                detected_at = d.DetectedAt,
                correlation = d.Correlation,
                group = d.GroupValues,
                event_count = d.EventCount,
            }),
            next_before_id = items.Count == take ? items[^1].Id : (long?)null,
        });
    }
}
