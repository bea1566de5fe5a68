namespace Vigie.Core.Incidents;

/// <summary>One link of an evidence file's chain of custody: who did what with it, when, and the hash it had then.</summary>
public sealed class EvidenceCustodyEntry
{
    public long Id { get; set; }
    public long EvidenceId { get; set; }
    public DateTime Time { get; set; }
    public required string Actor { get; set; }
    public Guid? ActorId { get; set; }
    public string? ActorAddress { get; set; }
    /// <summary>collected, downloaded, verified or transferred.</summary>
    public required string Action { get; set; }
    public string? Detail { get; set; }
    /// <summary>The content's SHA-256 when this happened (recomputed for <c>verified</c>).</summary>
    public required string Sha256 { get; set; }
}
