namespace Vigie.Core.Events;

/// <summary>A normalised event on its way into the store, with the establishment it belongs to.</summary>
public sealed record EventToStore(DateTime Timestamp, Guid EstablishmentId, EventDocument Document)
{
    /// <summary>The document as JSON, written once (by the writer's thread) and reused by the store.</summary>
    public byte[]? Json { get; set; }

    /// <summary>The id the store gave the event when it was stored (0 before).</summary>
    public long Id { get; set; }
}
