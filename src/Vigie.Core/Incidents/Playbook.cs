namespace Vigie.Core.Incidents;

/// <summary>A response plan: tasks by phase for one kind of incident.</summary>
public sealed record Playbook(string Id, string Title, IncidentType? Type, string? Description, IReadOnlyList<PlaybookTask> Tasks, string Yaml)
{
    /// <summary>Whether Vigie ships a playbook of this id.</summary>
    public bool Shipped { get; init; }

    /// <summary>Whether this installation replaced the shipped version (or wrote its own).</summary>
    public bool Customised { get; init; }
}

/// <summary>One task of a playbook.</summary>
public sealed record PlaybookTask(string Phase, string Title, string? Description);
