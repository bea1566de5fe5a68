namespace Vigie.Sigma;

/// <summary>A Sigma detection rule (specification v2.1): its metadata, logsource and detection.</summary>
public sealed class SigmaRule
{
    /// <summary>The rule's id (normally a UUID); null when the rule has none.</summary>
    public string? Id { get; init; }
    /// <summary>The rule's <c>name</c>, by which correlations and filters may refer to it.</summary>
    public string? Name { get; init; }
    /// <summary>The title.</summary>
    public required string Title { get; init; }
    /// <summary>The declared status.</summary>
    public SigmaStatus Status { get; init; }
    /// <summary>The description.</summary>
    public string? Description { get; init; }
    /// <summary>The licence, when given.</summary>
    public string? License { get; init; }
    /// <summary>The author(s).</summary>
    public string? Author { get; init; }
    /// <summary>References (URLs, reports).</summary>
    public IReadOnlyList<string> References { get; init; } = [];
    /// <summary>Creation date as written (YYYY-MM-DD).</summary>
    public string? Date { get; init; }
    /// <summary>Last modification date as written.</summary>
    public string? Modified { get; init; }
    /// <summary>Which events the rule is written for.</summary>
    public required SigmaLogsource Logsource { get; init; }
    /// <summary>The detection.</summary>
    public required SigmaDetection Detection { get; init; }
    /// <summary>Fields worth showing with a match.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];
    /// <summary>Known false positives.</summary>
    public IReadOnlyList<string> FalsePositives { get; init; } = [];
    /// <summary>The level of a match.</summary>
    public SigmaLevel Level { get; init; }
    /// <summary>Tags (<c>attack.t1059</c>, <c>cve.2021-44228</c>, …).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Related rules.</summary>
    public IReadOnlyList<SigmaRelatedRule> Related { get; init; } = [];
    /// <summary>Where the rule was read.</summary>
    public required SigmaRuleSource Source { get; init; }

    /// <summary>The id if any, else the name, else the title: how reports name the rule.</summary>
    public string Reference => Id ?? Name ?? Title;

    /// <inheritdoc />
    public override string ToString() => $"{Title} ({Reference})";
}
