namespace Vigie.Sigma;

/// <summary>
/// A Sigma filter (meta filter): a detection that excludes events from the rules it names, so that tuning
/// lives beside the rules instead of inside them. A rule with filters matches when its own condition holds
/// and none of its filters' conditions does.
/// </summary>
public sealed class SigmaFilter
{
    /// <summary>The id.</summary>
    public string? Id { get; init; }
    /// <summary>The name.</summary>
    public string? Name { get; init; }
    /// <summary>The title.</summary>
    public required string Title { get; init; }
    /// <summary>The description.</summary>
    public string? Description { get; init; }
    /// <summary>The logsource the filter is written for; it applies only to rules of a compatible logsource.</summary>
    public SigmaLogsource? Logsource { get; init; }
    /// <summary>The rules filtered, by id or name.</summary>
    public required IReadOnlyList<string> Rules { get; init; }
    /// <summary>The events to exclude.</summary>
    public required SigmaDetection Detection { get; init; }
    /// <summary>Where the filter was read.</summary>
    public required SigmaRuleSource Source { get; init; }

    /// <summary>The id if any, else the name, else the title.</summary>
    public string Reference => Id ?? Name ?? Title;
}
