namespace Vigie.Core.Incidents;

/// <summary>
/// What happened, when: automatic entries (alerts linked, status changes, qualification, tasks done, evidence
/// added, notifications sent) and manual ones written by responders, each with who recorded it.
/// </summary>
public sealed class IncidentTimelineEntry
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    /// <summary>When it happened (a manual entry may date something earlier than its recording).</summary>
    public DateTime Time { get; set; }
    public DateTime RecordedAt { get; set; }
    /// <summary>automatic or manual.</summary>
    public required string Kind { get; set; }
    public required string Actor { get; set; }
    public Guid? ActorId { get; set; }
    public required string Text { get; set; }
}
