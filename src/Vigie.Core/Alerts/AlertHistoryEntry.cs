namespace Vigie.Core.Alerts;

/// <summary>
/// Everything that happened to an alert, with when and by whom: creation, grouping of further detections
/// (summarised), acknowledgement, assignment, comments, closing, reopening. The alert's audit trail.
/// </summary>
public sealed class AlertHistoryEntry
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    public DateTime Time { get; set; }
    public required string Actor { get; set; }
    public Guid? ActorId { get; set; }
    public string? ActorAddress { get; set; }
    /// <summary><c>created</c>, <c>acknowledged</c>, <c>closed</c>, <c>reopened</c>, <c>assigned</c>, <c>commented</c>, <c>linked</c>.</summary>
    public required string Action { get; set; }
    public AlertStatus? FromStatus { get; set; }
    public AlertStatus? ToStatus { get; set; }
    /// <summary>The comment, the reason, or the assignee.</summary>
    public string? Text { get; set; }
}
