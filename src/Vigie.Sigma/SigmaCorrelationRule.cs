namespace Vigie.Sigma;

/// <summary>A Sigma correlation rule: a condition over the matches of other rules (or correlations) in time.</summary>
public sealed class SigmaCorrelationRule
{
    /// <summary>The id.</summary>
    public string? Id { get; init; }
    /// <summary>The name, by which a chained correlation may refer to this one.</summary>
    public string? Name { get; init; }
    /// <summary>The title.</summary>
    public required string Title { get; init; }
    /// <summary>The status.</summary>
    public SigmaStatus Status { get; init; }
    /// <summary>The description.</summary>
    public string? Description { get; init; }
    /// <summary>The level of a correlation match.</summary>
    public SigmaLevel Level { get; init; }
    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The correlation type.</summary>
    public required SigmaCorrelationType Type { get; init; }
    /// <summary>The rules correlated, by id or name.</summary>
    public required IReadOnlyList<string> Rules { get; init; }
    /// <summary>The fields (or aliases) whose values define a group.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];
    /// <summary>The time window.</summary>
    public required TimeSpan Timespan { get; init; }
    /// <summary>The condition on the aggregated number.</summary>
    public required SigmaCorrelationCondition Condition { get; init; }
    /// <summary>Aliases: alias name → (rule id or name → field name in that rule's events).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Aliases { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
    /// <summary>Whether the correlated rules also report their own matches (<c>generate: true</c>).</summary>
    public bool Generate { get; init; }
    /// <summary>Where the correlation was read.</summary>
    public required SigmaRuleSource Source { get; init; }

    /// <summary>The id if any, else the name, else the title.</summary>
    public string Reference => Id ?? Name ?? Title;
}
