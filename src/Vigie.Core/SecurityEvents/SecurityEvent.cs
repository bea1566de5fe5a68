namespace Vigie.Core.SecurityEvents;

/// <summary>
/// A sign-in or administrative action, written in the same transaction as the change it records.
/// It is also an outbox: the ingestion pipeline forwards it to the event store for detection.
/// </summary>
public sealed class SecurityEvent
{
    public long Id { get; set; }
    public DateTime Time { get; set; } = DateTime.UtcNow;
    public SecurityEventType Type { get; set; }
    /// <summary>Who acted: a username, <c>cli:&lt;os user&gt;</c>, or <c>system</c>.</summary>
    public required string Actor { get; set; }
    public Guid? ActorId { get; set; }
    /// <summary>What the action was about: a username, an establishment code, a collector name.</summary>
    public string? Target { get; set; }
    public Guid? EstablishmentId { get; set; }
    public string? SourceAddress { get; set; }
    /// <summary>Free details as JSON; never a secret, token, key or patient datum.</summary>
    public string? Details { get; set; }
    /// <summary>Set once the ingestion pipeline has forwarded it.</summary>
    public bool Forwarded { get; set; }
}
