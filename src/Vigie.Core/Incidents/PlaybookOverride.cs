namespace Vigie.Core.Incidents;

/// <summary>An installation's own version of a playbook (or a playbook of its own), replacing the one shipped with Vigie.</summary>
public sealed class PlaybookOverride
{
    public required string Id { get; set; }
    public required string Yaml { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}
