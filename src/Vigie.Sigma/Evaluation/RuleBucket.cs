namespace Vigie.Sigma.Evaluation;

/// <summary>
/// The rules that apply to one kind of event (one logsource signature): those evaluated on every such
/// event, and those gated by the literals they require.
/// </summary>
internal sealed class RuleBucket
{
    public RuleBucket(List<CompiledRule> rules)
    {
        var always = new List<CompiledRule>();
        var gated = new List<CompiledRule>();
        var literalIds = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var literalRules = new List<List<int>>();
        var fields = new SortedSet<int>();
        foreach (var rule in rules)
        {
            if (rule.RequiredLiterals is null)
            {
                always.Add(rule);
                continue;
            }
            var position = gated.Count;
            gated.Add(rule);
            foreach (var (field, literal) in rule.RequiredFields!.Zip(rule.RequiredLiterals))
            {
                if (field < 0)
                    ScanAll = true;
                else
                    fields.Add(field);
                if (!literalIds.TryGetValue(literal, out var id))
                {
                    id = literalRules.Count;
                    literalIds[literal] = id;
                    literalRules.Add([]);
                }
                if (literalRules[id].Count == 0 || literalRules[id][^1] != position)
                    literalRules[id].Add(position);
            }
        }
        Always = [.. always];
        Gated = [.. gated];
        ScanFields = [.. fields];
        LiteralRules = [.. literalRules.Select(l => l.ToArray())];
        Literals = literalIds.Count == 0 ? null : new LiteralIndex([.. literalIds.OrderBy(p => p.Value).Select(p => p.Key)]);
    }

    public CompiledRule[] Always { get; }
    public CompiledRule[] Gated { get; }
    /// <summary>Fields whose values are scanned for literals.</summary>
    public int[] ScanFields { get; }
    /// <summary>Whether keyword rules require scanning every value of the event.</summary>
    public bool ScanAll { get; }
    public LiteralIndex? Literals { get; }
    /// <summary>Literal id → positions in <see cref="Gated"/> of the rules it admits.</summary>
    public int[][] LiteralRules { get; }
}
