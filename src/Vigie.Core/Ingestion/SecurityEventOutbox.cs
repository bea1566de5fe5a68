using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.SecurityEvents;
using F = Vigie.Core.Events.EventFields;

namespace Vigie.Core.Ingestion;

/// <summary>The foundation's <c>security_events</c> table as an outbox: sign-ins and administration become events of dataset <c>vigie.security</c>.</summary>
public sealed class SecurityEventOutbox(IServiceScopeFactory scopes) : IEventOutbox
{
    public string Name => "security_events";

    public async Task<IReadOnlyList<OutboxEntry>> ReadPendingAsync(int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var pending = await db.SecurityEvents.AsNoTracking().Where(e => !e.Forwarded).OrderBy(e => e.Id).Take(max).ToListAsync(ct);
        return pending.Select(e => new OutboxEntry(e.Id, e.EstablishmentId, ToEvent(e))).ToList();
    }

    public async Task MarkForwardedAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var list = ids.ToList();
        // A mark lost in a power cut forwards the entries again, under the same idempotency keys.
        await using var relaxed = await DerivedWrites.RelaxAsync(db, ct);
        await db.SecurityEvents.Where(e => list.Contains(e.Id)).ExecuteUpdateAsync(s => s.SetProperty(e => e.Forwarded, true), ct);
    }

    /// <summary>A security event in ECS: <c>event.action</c> is its kebab-case name, <c>event.code</c> its stable number.</summary>
    public static EventDocument ToEvent(SecurityEvent s)
    {
        var e = new EventDocument(24);
        var time = DateTime.SpecifyKind(s.Time, DateTimeKind.Utc);
        e.Timestamp = time;
        e[F.Timestamp] = EventTime.Format(time);
        e[F.Kind] = "event";
        e[F.Module] = "vigie";
        e[F.Dataset] = "vigie.security";
        e[F.Code] = ((int)s.Type).ToString(System.Globalization.CultureInfo.InvariantCulture);
        e[F.Action] = s.Type.Action();
        e[F.Outcome] = s.Type.IsFailure() ? "failure" : "success";
        var code = (int)s.Type;
        e[F.Category] = new List<object?> { code < 1200 ? "authentication" : code < 1300 ? "iam" : "configuration" };
        e[F.Type] = new List<object?> { code < 1200 ? "info" : code % 100 == 0 ? "creation" : "change" };
        e[F.UserName] = s.Actor;
        if (s.ActorId is { } id)
            e["user.id"] = id.ToString();
        e.Set("user.target.name", s.Target);
        e.Set(F.SourceIp, s.SourceAddress);
        e.Set("vigie.security_event.id", s.Id);
        if (s.Details is { Length: > 0 } details)
        {
            try
            {
                using var doc = JsonDocument.Parse(details);
                e.AddFlattened(doc.RootElement, "vigie.details");
            }
            catch (JsonException)
            {
                e["vigie.details"] = details;
            }
        }
        e[F.Message] = $"{s.Type.Action()} by {s.Actor}" + (s.Target is null ? "" : $" on {s.Target}");
        return e;
    }
}
