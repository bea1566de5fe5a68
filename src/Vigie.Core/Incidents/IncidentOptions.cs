namespace Vigie.Core.Incidents;

/// <summary>
/// Incident settings from configuration: <c>declaration_target_hours</c> (loi 05-20 article 8 says "as soon as
/// aware"; 24 by default), <c>nis2</c> (true when the establishments are NIS2 entities), <c>evidence_max_bytes</c>.
/// </summary>
public sealed class IncidentOptions
{
    public TimeSpan DeclarationTarget { get; init; } = TimeSpan.FromHours(24);
    /// <summary>GDPR article 34 says "without undue delay": Vigie's target for telling the people.</summary>
    public TimeSpan Article34Target { get; init; } = TimeSpan.FromHours(72);
    /// <summary>The loi 09-08 breach record for the CNDP: Vigie's target for writing it.</summary>
    public TimeSpan CndpRecordTarget { get; init; } = TimeSpan.FromHours(72);
    public bool Nis2 { get; init; }
    public long EvidenceMaxBytes { get; init; } = 25 * 1024 * 1024;
}
