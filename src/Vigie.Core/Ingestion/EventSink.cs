using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Events;

namespace Vigie.Core.Ingestion;

/// <summary>The in-process <see cref="IEventSink"/>: events join the same group commit as everything else.</summary>
public sealed class EventSink(EventWriter writer, IServiceScopeFactory scopes, IngestStats stats) : IEventSink
{
    private readonly ConcurrentDictionary<Guid, string> _codes = new();

    public async Task SubmitAsync(IReadOnlyList<EventDocument> events, Guid establishmentId, string source, CancellationToken ct = default)
    {
        var code = await CodeOfAsync(establishmentId, ct);
        var received = DateTimeOffset.UtcNow;
        var list = new List<EventToStore>(events.Count);
        foreach (var e in events)
        {
            if (e.Timestamp == default)
                e.Timestamp = received.UtcDateTime;
            e.SetDefault(EventFields.Timestamp, EventTime.Format(e.Timestamp));
            e[EventFields.Ingested] = EventTime.Format(received);
            e[EventFields.Organization] = code;
            e[EventFields.AgentName] = source;
            e.SetDefault(EventFields.Kind, "event");
            list.Add(new EventToStore(e.Timestamp, establishmentId, e));
        }
        stats.AddReceived(list.Count);
        var stored = await writer.EnqueueAsync(new EventBatch(list, "vigie:" + source), ct);
        await stored.WaitAsync(ct);
    }

    public async Task<string> CodeOfAsync(Guid establishmentId, CancellationToken ct)
    {
        if (_codes.TryGetValue(establishmentId, out var code))
            return code;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        code = await db.Establishments.Where(e => e.Id == establishmentId).Select(e => e.Code).SingleOrDefaultAsync(ct)
            ?? throw VigieException.Invalid($"establishment {establishmentId} does not exist");
        _codes[establishmentId] = code;
        return code;
    }
}
