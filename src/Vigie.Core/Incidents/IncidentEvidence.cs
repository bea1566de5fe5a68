namespace Vigie.Core.Incidents;

/// <summary>
/// A file kept as evidence: its bytes, their SHA-256 computed on arrival, and a chain of custody recording
/// every hand it passed through. The content is never changed; a verification recomputes the hash.
/// </summary>
public sealed class IncidentEvidence
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string MediaType { get; set; }
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    public required string Sha256 { get; set; }
    public required byte[] Content { get; set; }
    public required string AddedBy { get; set; }
    public DateTime AddedAt { get; set; }

    public List<EvidenceCustodyEntry> Custody { get; set; } = [];
}
