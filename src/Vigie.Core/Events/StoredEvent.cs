namespace Vigie.Core.Events;

/// <summary>An event as the store holds it: id (ascending in storage order), time, establishment, the flat JSON document.</summary>
public sealed record StoredEvent(long Id, DateTime Timestamp, Guid EstablishmentId, string Json);
