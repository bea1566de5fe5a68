namespace Vigie.Sigma.Evaluation;

/// <summary>A rule ready to evaluate: its condition tree (filters folded in) and which events it applies to.</summary>
internal sealed class CompiledRule(int index, SigmaRule rule, ConditionNode root, int logsource)
{
    /// <summary>Position in the engine's rule order; matches are reported in this order.</summary>
    public int Index { get; } = index;
    public SigmaRule Rule { get; } = rule;
    public ConditionNode Root { get; } = root;
    /// <summary>Index of the resolved logsource predicate, or -1 when the catalog does not define it.</summary>
    public int Logsource { get; } = logsource;
    /// <summary>
    /// Groups of literal requirements, every group needing one literal found, or null when the rule has no
    /// such requirement (it is then evaluated on every event of its logsource).
    /// </summary>
    public List<List<Requirement>>? Requirements { get; set; }
}
