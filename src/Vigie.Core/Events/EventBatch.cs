namespace Vigie.Core.Events;

/// <summary>
/// Events that are stored together in one transaction. With an idempotency key, a batch already stored by
/// the same collector under the same key is not stored again.
/// </summary>
public sealed record EventBatch(IReadOnlyList<EventToStore> Events, string? Collector = null, string? IdempotencyKey = null);
