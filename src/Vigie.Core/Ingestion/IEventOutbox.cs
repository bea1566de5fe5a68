using Vigie.Core.Events;

namespace Vigie.Core.Ingestion;

/// <summary>
/// A table of a feature's own records that must also reach the event stream (security events now, the
/// records gateway's audit ledger later). The forwarder reads pending entries in order, stores them as events,
/// then marks them forwarded: each entry goes in its own idempotent batch (key <c>Name:Id</c>), so a crash
/// between storing and marking forwards nothing twice.
/// </summary>
public interface IEventOutbox
{
    /// <summary>A stable name, part of each entry's idempotency key.</summary>
    string Name { get; }

    /// <summary>The oldest entries not yet forwarded, in order, normalised; at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<OutboxEntry>> ReadPendingAsync(int max, CancellationToken ct);

    /// <summary>Marks entries forwarded once their events are durable.</summary>
    Task MarkForwardedAsync(IReadOnlyList<long> ids, CancellationToken ct);
}

/// <summary>One pending entry: its id in its table, the establishment it belongs to (null: the national centre), the event.</summary>
public sealed record OutboxEntry(long Id, Guid? EstablishmentId, EventDocument Event);
