namespace Vigie.Core.Privacy;

/// <summary>
/// One access to a patient's record in the privacy index: who, which patient (pseudonym only), where, what,
/// and how suspicious. Feeds the investigation views (every access of a user, every accessor of a patient)
/// and rebuilds the baselines at start-up.
/// </summary>
public sealed class PrivacyAccess
{
    public long Id { get; set; }
    public DateTime Time { get; set; }
    public required string UserName { get; set; }
    public string? PatientPseudonym { get; set; }
    /// <summary>The event's <c>organization.id</c> (an establishment code).</summary>
    public string? Organization { get; set; }
    public Guid? EstablishmentId { get; set; }
    public required string Action { get; set; }
    public string? Decision { get; set; }
    public string? Purpose { get; set; }
    public bool BreakGlass { get; set; }
    public string? CareRelationship { get; set; }
    public string? SourceAddress { get; set; }
    /// <summary>The highest risk score of the access's detections; null when it raised none.</summary>
    public int? RiskScore { get; set; }
    /// <summary>The facts of its detections, as a JSON array; null when it raised none.</summary>
    public string? Facts { get; set; }
    public string? EventRef { get; set; }
}
