using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Core.Time;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

/// <summary>Sign-in and administration events, newest first, within the caller's scope.</summary>
internal static class SecurityEventEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/security-events", ListAsync).WithTags("Security events")
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo)
            .WithSummary("Security events (sign-ins, administration), newest first; filter by action and target; page with before_id.");
    }

    private static async Task<IResult> ListAsync(CurrentUser current, VigieDbContext db, EstablishmentIndex index,
        string? action, string? target, long? beforeId, int? limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit ?? 100, 1, 1000);
        if (limit is < 1 or > 1000)
            throw VigieException.Invalid("limit must be between 1 and 1000");
        var scope = await current.ScopeAsync(ct);
        var query = db.SecurityEvents.AsNoTracking().AsQueryable();
        if (!scope.IsEverything)
        {
            var ids = scope.Ids!.Select(i => (Guid?)i).ToList();
            query = query.Where(e => ids.Contains(e.EstablishmentId));
        }
        if (action is not null)
        {
            var type = Enum.GetValues<SecurityEventType>().Where(t => t.Action() == action).Select(t => (SecurityEventType?)t).FirstOrDefault()
                ?? throw VigieException.Invalid($"action '{action}' is unknown");
            query = query.Where(e => e.Type == type);
        }
        if (target is not null)
            query = query.Where(e => e.Target == target);
        if (beforeId is { } before)
            query = query.Where(e => e.Id < before);
        var events = await query.OrderByDescending(e => e.Id).Take(take).ToListAsync(ct);
        var all = await index.GetAsync(ct);
        return Results.Ok(new
        {
            items = events.Select(e =>
            {
                var est = e.EstablishmentId is { } id && all.TryGetValue(id, out var x) ? x : null;
                return new
                {
                    id = e.Id,
                    time = LocalTime.Format(e.Time, est?.TimeZone ?? Vigie.Core.Establishments.Establishment.DefaultTimeZone),
                    code = (int)e.Type,
                    action = e.Type.Action(),
                    outcome = e.Type.IsFailure() ? "failure" : "success",
                    actor = e.Actor,
                    target = e.Target,
                    establishment = est?.Code,
                    source_address = e.SourceAddress,
                    details = e.Details is null ? (JsonElement?)null : JsonDocument.Parse(e.Details).RootElement,
                };
            }),
            next_before_id = events.Count == take ? events[^1].Id : (long?)null,
        });
    }
}
