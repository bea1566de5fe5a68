namespace Vigie.Sigma;

/// <summary>The maturity a rule declares.</summary>
public enum SigmaStatus
{
    /// <summary>No status given.</summary>
    None = 0,
    /// <summary>Stable.</summary>
    Stable,
    /// <summary>Test.</summary>
    Test,
    /// <summary>Experimental.</summary>
    Experimental,
    /// <summary>Deprecated.</summary>
    Deprecated,
    /// <summary>Unsupported.</summary>
    Unsupported,
}
