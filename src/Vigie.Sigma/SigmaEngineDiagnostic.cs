namespace Vigie.Sigma;

/// <summary>
/// Something the engine reports about a rule while compiling it, without rejecting it: a field the mapping
/// does not know, a logsource the catalog does not define, a placeholder without values.
/// </summary>
/// <param name="Rule">The rule's id, name or title.</param>
/// <param name="Source">Where the rule was read.</param>
/// <param name="Message">What is reported.</param>
public sealed record SigmaEngineDiagnostic(string Rule, SigmaRuleSource Source, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source} (rule {Rule}): {Message}";
}
