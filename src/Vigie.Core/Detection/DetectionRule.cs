namespace Vigie.Core.Detection;

/// <summary>A Sigma document kept in the store: its text, what it is, and whether detection runs it.</summary>
public sealed class DetectionRule
{
    /// <summary>The rule's id, else its name, else a hash of its text.</summary>
    public required string Id { get; set; }
    public required string Title { get; set; }
    /// <summary>rule, correlation or filter.</summary>
    public required string Kind { get; set; }
    public required string Level { get; set; }
    public required string Status { get; set; }
    public required string Logsource { get; set; }
    public string Tags { get; set; } = "";
    /// <summary>The YAML document as imported.</summary>
    public required string Yaml { get; set; }
    public required string SourcePath { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime ImportedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
}
