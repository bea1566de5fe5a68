namespace Vigie.Core.Incidents;

/// <summary>A responder's comment on an incident.</summary>
public sealed class IncidentComment
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public DateTime Time { get; set; }
    public required string Actor { get; set; }
    public Guid? ActorId { get; set; }
    public required string Text { get; set; }
}
