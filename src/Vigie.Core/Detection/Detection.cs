namespace Vigie.Core.Detection;

/// <summary>
/// A rule that matched: which rule, how severe, what event (or, for a correlation, the event that completed it),
/// which establishment, when. Alerts are built from these.
/// </summary>
public sealed class Detection
{
    public long Id { get; set; }
    public required string RuleId { get; set; }
    public required string RuleTitle { get; set; }
    /// <summary>informational, low, medium, high or critical.</summary>
    public required string Level { get; set; }
    /// <summary>The rule's tags, space-separated (<c>attack.t1110 attack.credential-access</c>).</summary>
    public string Tags { get; set; } = "";
    public long? EventId { get; set; }
    public DateTime EventTime { get; set; }
    public Guid EstablishmentId { get; set; }
    public DateTime DetectedAt { get; set; } = DateTime.UtcNow;
    /// <summary>Whether a correlation rule (over several events) fired.</summary>
    public bool Correlation { get; set; }
    /// <summary>For a correlation: its group-by values, as field=value pairs separated by '; '.</summary>
    public string? GroupValues { get; set; }
    public int? EventCount { get; set; }
}
