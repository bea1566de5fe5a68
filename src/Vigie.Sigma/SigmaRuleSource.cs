namespace Vigie.Sigma;

/// <summary>Where a rule document was read: file path (or a name given by the caller) and the line it starts on.</summary>
/// <param name="Path">The file the rule came from.</param>
/// <param name="Line">The 1-based line where the rule's YAML document starts.</param>
public sealed record SigmaRuleSource(string Path, int Line)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}:{Line}";
}
