using Vigie.Core.Alerts;

namespace Vigie.Core.Incidents;

/// <summary>
/// A case: alerts brought together, worked through a playbook's tasks, documented by a timeline, observables,
/// evidence and comments, and — once qualified — run against the regulatory clocks it triggers.
/// </summary>
public sealed class Incident
{
    public long Id { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public IncidentType Type { get; set; } = IncidentType.Other;
    public AlertSeverity Severity { get; set; } = AlertSeverity.Medium;
    public IncidentStatus Status { get; set; } = IncidentStatus.Open;
    /// <summary>TLP 2.0 label: clear, green, amber, amber+strict, red.</summary>
    public string Tlp { get; set; } = "amber";
    /// <summary>PAP label: clear, green, amber, red.</summary>
    public string Pap { get; set; } = "amber";
    public Guid EstablishmentId { get; set; }
    public Guid? AssigneeId { get; set; }
    /// <summary>The playbook whose tasks were added.</summary>
    public string? Playbook { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When the earliest of its alerts' events happened: the start of time to detect.</summary>
    public DateTime? FirstActivityAt { get; set; }
    /// <summary>When the earliest of its alerts was raised: the end of time to detect.</summary>
    public DateTime? DetectedAt { get; set; }
    public DateTime? ContainedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? ClosingReason { get; set; }
    /// <summary>Set when this incident was merged into another; it is then closed.</summary>
    public long? MergedIntoId { get; set; }
    /// <summary>When the incident was qualified: the regulatory clocks start here.</summary>
    public DateTime? QualifiedAt { get; set; }
    public string? QualifiedBy { get; set; }
    /// <summary>The qualification's facts as JSON (<see cref="Qualification"/>).</summary>
    public string? QualificationJson { get; set; }
    /// <summary>Whether personal data is involved: from the qualification, or implied by the type or privacy alerts.</summary>
    public bool PersonalData { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<IncidentTask> Tasks { get; set; } = [];
    public List<IncidentObservable> Observables { get; set; } = [];
    public List<IncidentTimelineEntry> Timeline { get; set; } = [];
    public List<IncidentComment> Comments { get; set; } = [];
    public List<IncidentNotification> Notifications { get; set; } = [];
    /// <summary>The alerts brought into the incident.</summary>
    public List<Alert> Alerts { get; set; } = [];
}
