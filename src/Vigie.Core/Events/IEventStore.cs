namespace Vigie.Core.Events;

/// <summary>
/// The event store: bulk appends in one transaction (group commit), reads in storage order for detection,
/// searches and histograms within a scope, and retention. One implementation per provider (SQLite, PostgreSQL),
/// because bulk writes and JSON queries differ too much between them to share one through EF Core.
/// </summary>
public interface IEventStore
{
    /// <summary>Stores the batches in one transaction; when it returns, they are durable. Returns, per batch, whether it was new (false: its idempotency key was seen before).</summary>
    Task<IReadOnlyList<bool>> AppendAsync(IReadOnlyList<EventBatch> batches, CancellationToken ct);

    /// <summary>Events with an id above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterId, int max, CancellationToken ct);

    Task<StoredEvent?> FindAsync(long id, CancellationToken ct);

    Task<EventPage> SearchAsync(EventSearch search, CancellationToken ct);

    Task<IReadOnlyList<HistogramBucket>> HistogramAsync(EventSearch search, TimeSpan interval, CancellationToken ct);

    /// <summary>How many events match <paramref name="search"/>, per establishment (establishments with none are absent).</summary>
    Task<IReadOnlyDictionary<Guid, long>> CountByEstablishmentAsync(EventSearch search, CancellationToken ct);

    /// <summary>Deletes the establishment's events older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<long> DeleteOlderThanAsync(Guid establishmentId, DateTime cutoff, CancellationToken ct);

    /// <summary>Stores detections (a rule matches an event once: repeats are ignored) and moves the detection cursor, in one transaction.</summary>
    Task SaveDetectionsAsync(IReadOnlyList<Detection.Detection> detections, string cursor, long lastId, CancellationToken ct);

    /// <summary>The detection cursor: the last event id detection has finished with.</summary>
    Task<long> ReadCursorAsync(string name, CancellationToken ct);
}
