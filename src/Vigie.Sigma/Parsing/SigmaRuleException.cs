namespace Vigie.Sigma.Parsing;

/// <summary>A rule document is invalid; carries the line of the offending node.</summary>
internal sealed class SigmaRuleException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}
