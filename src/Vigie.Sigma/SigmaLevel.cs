namespace Vigie.Sigma;

/// <summary>The severity a rule gives its matches, in increasing order.</summary>
public enum SigmaLevel
{
    /// <summary>No level given.</summary>
    None = 0,
    /// <summary>Informational: enrichment, not an alert.</summary>
    Informational,
    /// <summary>Low.</summary>
    Low,
    /// <summary>Medium.</summary>
    Medium,
    /// <summary>High.</summary>
    High,
    /// <summary>Critical.</summary>
    Critical,
}
