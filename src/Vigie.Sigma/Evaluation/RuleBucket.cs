using System.Buffers;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// The rules that apply to one kind of event (one logsource signature): those evaluated on every such
/// event, and those gated by the literals they require. Literals are checked only in the field a rule
/// reads them from: equality by one hash look-up, prefixes and suffixes by one look-up per distinct
/// length, substrings by a multi-string search over that field alone.
/// </summary>
internal sealed class RuleBucket
{
    public RuleBucket(List<CompiledRule> rules)
    {
        var always = new List<CompiledRule>();
        var gated = new List<CompiledRule>();
        var targets = new List<List<(int Rule, int Bit)>>();
        var targetIds = new Dictionary<Requirement, int>(new RequirementComparer());
        var byField = new SortedDictionary<int, List<(Requirement Requirement, int Target)>>();
        var fullMasks = new List<int>();
        foreach (var rule in rules)
        {
            if (rule.Requirements is null)
            {
                always.Add(rule);
                continue;
            }
            var position = gated.Count;
            gated.Add(rule);
            var groups = Checked(rule.Requirements);
            fullMasks.Add((1 << groups.Count) - 1);
            for (var g = 0; g < groups.Count; g++)
            {
                foreach (var requirement in groups[g])
                {
                    if (!targetIds.TryGetValue(requirement, out var id))
                    {
                        id = targets.Count;
                        targetIds[requirement] = id;
                        targets.Add([]);
                        if (!byField.TryGetValue(requirement.Field, out var list))
                            byField[requirement.Field] = list = [];
                        list.Add((requirement, id));
                    }
                    if (!targets[id].Contains((position, 1 << g)))
                        targets[id].Add((position, 1 << g));
                }
            }
        }
        Always = [.. always];
        Gated = [.. gated];
        FullMasks = [.. fullMasks];
        Targets = [.. targets.Select(t => t.ToArray())];
        Fields = [.. byField.Where(f => f.Key >= 0).Select(f => new FieldLiterals(f.Key, f.Value))];
        Keywords = byField.TryGetValue(-1, out var keywords) ? new FieldLiterals(-1, keywords) : null;
    }

    /// <summary>
    /// The groups actually checked: positional groups (equality, prefix, suffix: hash look-ups) when the rule
    /// has any, else its two best substring groups. Substring literals cost a scan of the field's text
    /// (measured 17 µs per Sysmon command line with every process rule's substrings in one set), so a rule
    /// that can be gated by hash look-ups keeps its substrings out of the scanned set; its own evaluation
    /// checks them afterwards.
    /// </summary>
    private static List<List<Requirement>> Checked(List<List<Requirement>> groups)
    {
        var positional = groups.Where(g => g.TrueForAll(r => r.Position != LiteralPosition.Contains)).ToList();
        if (positional.Count > 0)
            return positional;
        return groups.Count > 2 ? groups.GetRange(0, 2) : groups;
    }

    public CompiledRule[] Always { get; }
    public CompiledRule[] Gated { get; }
    /// <summary>Per gated rule: the mask of requirement groups that must all be found.</summary>
    public int[] FullMasks { get; }
    /// <summary>Target id → (gated rule position, group bit) pairs it satisfies.</summary>
    public (int Rule, int Bit)[][] Targets { get; }
    /// <summary>Literal requirements per field.</summary>
    public FieldLiterals[] Fields { get; }
    /// <summary>Requirements of keyword searches, checked against every value of the event.</summary>
    public FieldLiterals? Keywords { get; }

    private sealed class RequirementComparer : IEqualityComparer<Requirement>
    {
        public bool Equals(Requirement x, Requirement y) =>
            x.Field == y.Field && x.Position == y.Position && string.Equals(x.Literal, y.Literal, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(Requirement r) => HashCode.Combine(r.Field, r.Position, StringComparer.OrdinalIgnoreCase.GetHashCode(r.Literal));
    }
}

/// <summary>The literal requirements of one field, with the structures that find them in its text.</summary>
internal sealed class FieldLiterals
{
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _equals;
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _prefixes;
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _suffixes;
    private readonly int[] _prefixLengths;
    private readonly int[] _suffixLengths;
    private readonly LiteralIndex? _contains;
    private readonly int[][] _containsTargets;
    private readonly bool _hasEquals;

    public FieldLiterals(int field, List<(Requirement Requirement, int Target)> requirements)
    {
        Field = field;
        Dictionary<string, int[]> Table(LiteralPosition position) => requirements.Where(r => r.Requirement.Position == position)
            .GroupBy(r => r.Requirement.Literal, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Target).ToArray(), StringComparer.OrdinalIgnoreCase);
        var equals = Table(LiteralPosition.Equals);
        var prefixes = Table(LiteralPosition.Prefix);
        var suffixes = Table(LiteralPosition.Suffix);
        _hasEquals = equals.Count > 0;
        _equals = equals.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixes = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixes = suffixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLengths = [.. prefixes.Keys.Select(k => k.Length).Distinct().Order()];
        _suffixLengths = [.. suffixes.Keys.Select(k => k.Length).Distinct().Order()];
        var contains = Table(LiteralPosition.Contains);
        if (contains.Count > 0)
        {
            var literals = contains.Keys.ToArray();
            _contains = new LiteralIndex(literals);
            _containsTargets = [.. literals.Select(l => contains[l])];
        }
        else
        {
            _containsTargets = [];
        }
    }

    public int Field { get; }

    public void Check<TSink>(in SigmaFieldValue value, ref TSink sink) where TSink : struct, ILiteralSink
    {
        if (value.Kind == SigmaValueKind.List)
        {
            foreach (var item in value.Items!)
                Check(item, ref sink);
            return;
        }
        if (value.Text is not { } text || value.Kind is SigmaValueKind.Object or SigmaValueKind.Null)
            return;
        CheckText(text, ref sink);
    }

    public void CheckText<TSink>(ReadOnlySpan<char> span, ref TSink sink) where TSink : struct, ILiteralSink
    {
        if (_hasEquals && _equals.TryGetValue(span, out var targets))
            sink.Found(targets);
        foreach (var length in _prefixLengths)
        {
            if (length > span.Length)
                break;
            if (_prefixes.TryGetValue(span[..length], out targets))
                sink.Found(targets);
        }
        foreach (var length in _suffixLengths)
        {
            if (length > span.Length)
                break;
            if (_suffixes.TryGetValue(span[^length..], out targets))
                sink.Found(targets);
        }
        if (_contains is not null)
        {
            var scan = new ContainsSink<TSink>(_containsTargets, sink);
            _contains.Scan(span, ref scan);
            sink = scan.Inner;
        }
    }

    private struct ContainsSink<TSink>(int[][] targets, TSink inner) : ILiteralSink where TSink : struct, ILiteralSink
    {
        public TSink Inner = inner;

        public void Found(int literal) => Inner.Found(targets[literal]);

        public void Found(int[] ids) => Inner.Found(ids);
    }
}
