namespace Vigie.Core.Identity;

/// <summary>A source of events (a syslog relay, an agent, an EHR) that authenticates with its own API key.</summary>
public sealed class Collector
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public Guid EstablishmentId { get; set; }
    /// <summary>SHA-256 of the key, hex; the key itself is shown once and never stored.</summary>
    public required string KeyHash { get; set; }
    /// <summary>The first characters of the key, to recognise it in lists.</summary>
    public required string KeyPrefix { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
}
