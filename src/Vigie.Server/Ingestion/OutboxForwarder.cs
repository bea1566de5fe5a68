using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;

namespace Vigie.Server.Ingestion;

/// <summary>
/// Forwards every outbox (security events now, the audit ledger later) into the event store, so detection sees
/// Vigie's own sign-ins and administration like any other event. Entries without an establishment belong to the
/// national centre.
/// </summary>
internal sealed partial class OutboxForwarder(IEnumerable<IEventOutbox> outboxes, EventWriter writer, EventSink sink, IServiceScopeFactory scopes,
    IngestStats stats, ILogger<OutboxForwarder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var forwarded = 0;
            foreach (var outbox in outboxes)
            {
                try
                {
                    forwarded += await ForwardAsync(outbox, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LogFailed(logger, outbox.Name, e.GetType().Name);
                }
            }
            // A pass that found less than a full batch waits before the next, so that entries gather into larger
            // batches behind the requests that wrote them (each pass has fixed costs: the pending query, the
            // establishments, the mark, detection's and privacy monitoring's own passes). A full batch is followed at
            // once: forwarding keeps pace with the reads, so privacy monitoring does not fall behind during a mass
            // read. Nothing is lost: entries stay pending in their table until forwarded.
            if (forwarded == 0)
                await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            else if (forwarded < BatchSize)
                await Task.Delay(GatherDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private const int BatchSize = 2000;
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(250);

    public async Task<int> ForwardAsync(IEventOutbox outbox, CancellationToken ct)
    {
        var pending = await outbox.ReadPendingAsync(BatchSize, ct);
        if (pending.Count == 0)
            return 0;
        var national = await NationalAsync(ct);
        if (national is null)
            return 0;
        var received = DateTimeOffset.UtcNow;
        var ingested = EventTime.Format(received);
        var batches = new List<Task<bool>>(pending.Count);
        foreach (var entry in pending)
        {
            var establishment = entry.EstablishmentId ?? national.Value;
            var e = entry.Event;
            e[EventFields.Ingested] = ingested;
            e[EventFields.Organization] = await sink.CodeOfAsync(establishment, ct);
            e[EventFields.AgentName] = "vigie";
            if (e.Timestamp == default)
                e.Timestamp = received.UtcDateTime;
            // One idempotent batch per entry: a crash before MarkForwarded cannot store it twice.
            var batch = new EventBatch([new EventToStore(e.Timestamp, establishment, e)], "vigie:outbox", $"{outbox.Name}:{entry.Id}") { Replayable = true };
            stats.AddReceived(1);
            batches.Add(await writer.EnqueueAsync(batch, ct));
        }
        // Cancellable: stopping Vigie must not wait for a store that does not answer (the entries stay pending).
        await Task.WhenAll(batches).WaitAsync(ct);
        var ids = new List<long>(pending.Count);
        foreach (var entry in pending)
            ids.Add(entry.Id);
        await outbox.MarkForwardedAsync(ids, ct);
        return pending.Count;
    }

    private Guid? _national;

    private async Task<Guid?> NationalAsync(CancellationToken ct)
    {
        if (_national is not null)
            return _national;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
        _national = all.FirstOrDefault(e => e.Type == EstablishmentType.National)?.Id ?? all.FirstOrDefault(e => e.ParentId is null)?.Id;
        return _national;
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Forwarding outbox {Outbox} failed ({ExceptionType}); retrying")]
    private static partial void LogFailed(ILogger logger, string outbox, string exceptionType);
}
