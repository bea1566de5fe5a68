namespace Vigie.Core.Alerts;

/// <summary>
/// Detections of one rule about one entity (a user, a host, an address) in one establishment, grouped while
/// they keep coming within the grouping window: what an analyst triages.
/// </summary>
public sealed class Alert
{
    public long Id { get; set; }
    public required string RuleId { get; set; }
    public required string Title { get; set; }
    /// <summary>The rule's own level (Sigma names); the severity may be higher.</summary>
    public required string RuleLevel { get; set; }
    public AlertSeverity Severity { get; set; }
    public AlertStatus Status { get; set; } = AlertStatus.New;
    public AlertCategory Category { get; set; }
    public Guid? EstablishmentId { get; set; }
    /// <summary>What the detections are about, as <c>kind:value</c> (<c>user:alice</c>, <c>host:srv-01</c>); null when nothing identifies one.</summary>
    public string? Entity { get; set; }
    /// <summary>Rule, establishment and entity: detections with the same key join an open alert.</summary>
    public required string GroupKey { get; set; }
    public int Count { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    /// <summary>ATT&amp;CK technique ids from the rule's tags, comma-separated (<c>T1078,T1213</c>).</summary>
    public string Techniques { get; set; } = "";
    /// <summary>The rule's tags, comma-separated.</summary>
    public string Tags { get; set; } = "";
    /// <summary>Whether the asset or patient is sensitive, which raised the severity.</summary>
    public bool Sensitive { get; set; }
    /// <summary>Privacy alerts: the highest risk score (0–100) of their detections.</summary>
    public int? RiskScore { get; set; }
    /// <summary>Privacy alerts: the facts that made the accesses suspicious, as a JSON array of strings.</summary>
    public string? Explanation { get; set; }
    public Guid? AssigneeId { get; set; }
    public AlertResolution? Resolution { get; set; }
    public string? ResolutionReason { get; set; }
    public long? IncidentId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<AlertDetection> Detections { get; set; } = [];
    public List<AlertHistoryEntry> History { get; set; } = [];

    public IReadOnlyList<string> TechniqueIds => Split(Techniques);

    public IReadOnlyList<string> TagList => Split(Tags);

    internal static IReadOnlyList<string> Split(string list) =>
        list.Length == 0 ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
