using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vigie.Core.Events;

namespace Vigie.Core.Ingestion;

/// <summary>
/// Group commit: batches from every input (HTTP requests, syslog connections, files, Vigie's own outboxes) wait
/// in one queue; a single writer takes as many as are waiting (up to <see cref="MaxEventsPerTransaction"/>), stores
/// them in one transaction, and only then completes each batch's task. An HTTP request is answered after its
/// task completes: acknowledged means durable. The queue is bounded in events, so memory stays bounded:
/// HTTP is refused when it is full (<see cref="TryEnqueue"/>), streams wait (<see cref="EnqueueAsync"/>).
/// </summary>
public sealed partial class EventWriter : IAsyncDisposable
{
    public const int MaxEventsPerTransaction = 20_000;

    private readonly IEventStore _store;
    private readonly IngestStats _stats;
    private readonly ILogger<EventWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _maxQueued;
    private long _queued;
    private TaskCompletionSource _space = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Pending(EventBatch Batch, TaskCompletionSource<bool> Done);

    // Committed events handed to detection in memory, so that it need not read them back and parse them again.
    // Bounded: when detection falls behind, hand-offs are dropped and detection reads from the store instead.
    private readonly Channel<IReadOnlyList<EventToStore>> _committed = Channel.CreateBounded<IReadOnlyList<EventToStore>>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Events just committed by this process, in id order, for detection.</summary>
    public ChannelReader<IReadOnlyList<EventToStore>> Committed => _committed.Reader;

    public EventWriter(IEventStore store, IngestStats stats, ILogger<EventWriter> logger, long maxQueuedEvents = 50_000)
    {
        _store = store;
        _stats = stats;
        _logger = logger;
        _maxQueued = maxQueuedEvents;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Events waiting for their transaction.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    public long Capacity => _maxQueued;

    /// <summary>Completes after the next transaction commits: detection waits on it instead of polling.</summary>
    public Task NextCommit => Volatile.Read(ref _stored).Task;

    /// <summary>Queues a batch unless the queue is full; the task completes (true: stored, false: a duplicate) once it is durable.</summary>
    public bool TryEnqueue(EventBatch batch, out Task<bool> stored)
    {
        var n = Math.Max(1, batch.Events.Count);
        if (Interlocked.Add(ref _queued, n) > _maxQueued && n < _maxQueued)
        {
            Interlocked.Add(ref _queued, -n);
            stored = Task.FromResult(false);
            return false;
        }
        var pending = new Pending(batch, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Writer.TryWrite(pending);
        stored = pending.Done.Task;
        return true;
    }

    /// <summary>Queues a batch, waiting for room: a stream's reader slows down instead of growing memory.</summary>
    public async Task<Task<bool>> EnqueueAsync(EventBatch batch, CancellationToken ct)
    {
        while (true)
        {
            var space = Volatile.Read(ref _space).Task;
            if (TryEnqueue(batch, out var stored))
                return stored;
            await space.WaitAsync(TimeSpan.FromMilliseconds(200), ct).ContinueWith(_ => { }, TaskScheduler.Default);
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var group = new List<Pending>();
        var batches = new List<EventBatch>();
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                group.Clear();
                batches.Clear();
                var events = 0;
                long weight = 0;
                while (events < MaxEventsPerTransaction && reader.TryRead(out var pending))
                {
                    group.Add(pending);
                    batches.Add(pending.Batch);
                    events += pending.Batch.Events.Count;
                    weight += Math.Max(1, pending.Batch.Events.Count);
                }
                if (group.Count == 0)
                    continue;
                // Serialise outside the transaction's critical path of the store (the store reuses these bytes).
                foreach (var batch in batches)
                {
                    foreach (var e in batch.Events)
                        e.Json ??= e.Document.ToUtf8Json();
                }
                await CommitAsync(group, batches, events, weight);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task CommitAsync(List<Pending> group, List<EventBatch> batches, int events, long weight)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var results = await _store.AppendAsync(batches, CancellationToken.None);
                _stats.AddTransaction();
                long stored = 0;
                for (var i = 0; i < group.Count; i++)
                {
                    if (results[i])
                        stored += group[i].Batch.Events.Count;
                    else
                        _stats.AddDuplicateBatch();
                }
                _stats.AddStored(stored);
                var handed = new List<EventToStore>(events);
                for (var i = 0; i < group.Count; i++)
                {
                    if (results[i])
                        handed.AddRange(group[i].Batch.Events);
                }
                if (handed.Count > 0)
                    _committed.Writer.TryWrite(handed);
                Interlocked.Add(ref _queued, -weight);
                for (var i = 0; i < group.Count; i++)
                    group[i].Done.TrySetResult(results[i]);
                Interlocked.Exchange(ref _space, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                Interlocked.Exchange(ref _stored, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                // The store is unreachable or refused the write: nothing was acknowledged. Waiting requests keep
                // waiting (their senders see the delay, then a timeout); retry with back-off, the queue bounds memory.
                LogStoreFailed(_logger, e.GetType().Name, group.Count, events, (int)delay.TotalMilliseconds);
                if (_stop.IsCancellationRequested)
                {
                    foreach (var p in group)
                        p.Done.TrySetException(e);
                    return;
                }
                try
                {
                    await Task.Delay(delay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    foreach (var p in group)
                        p.Done.TrySetException(e);
                    return;
                }
                delay = TimeSpan.FromMilliseconds(Math.Min(5000, delay.TotalMilliseconds * 2));
            }
        }
    }

    /// <summary>Stores what is queued (for at most a few seconds: nothing waiting was acknowledged yet), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
        await _stop.CancelAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Event store write failed ({ExceptionType}) for {Batches} batches, {Events} events; retrying in {DelayMs} ms")]
    private static partial void LogStoreFailed(ILogger logger, string exceptionType, int batches, int events, int delayMs);
}
