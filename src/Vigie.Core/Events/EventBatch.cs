namespace Vigie.Core.Events;

/// <summary>
/// Events that are stored together in one transaction. With an idempotency key, a batch already stored by
/// the same collector under the same key is not stored again.
/// </summary>
public sealed record EventBatch(IReadOnlyList<EventToStore> Events, string? Collector = null, string? IdempotencyKey = null)
{
    /// <summary>
    /// The batch's source keeps it until told it is stored, and sends it again otherwise (Vigie's own outboxes): a
    /// group of such batches may commit without its own fsync (<see cref="Data.DerivedWrites"/>).
    /// </summary>
    public bool Replayable { get; init; }
}
