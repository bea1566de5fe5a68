namespace Vigie.Core.Incidents;

/// <summary>One step of the response, from a playbook or added by hand.</summary>
public sealed class IncidentTask
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public int Position { get; set; }
    /// <summary>preparation, identification, containment, eradication, recovery, notification or lessons-learned.</summary>
    public required string Phase { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary>todo, done or skipped.</summary>
    public string Status { get; set; } = "todo";
    public string? DoneBy { get; set; }
    public DateTime? DoneAt { get; set; }
    public string? Note { get; set; }
    /// <summary>The playbook it came from; null when added by hand.</summary>
    public string? Playbook { get; set; }

    public static IReadOnlyList<string> Phases { get; } =
        ["preparation", "identification", "containment", "eradication", "recovery", "notification", "lessons-learned"];

    public static IReadOnlyList<string> Statuses { get; } = ["todo", "done", "skipped"];
}
