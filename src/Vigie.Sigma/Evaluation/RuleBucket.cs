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
        if (keywords is not null)
        {
            // The same keyword literals as they appear inside raw JSON text, for one scan of the whole event.
            var escaped = keywords.GroupBy(k => JsonEscape(k.Requirement.Literal), StringComparer.OrdinalIgnoreCase)
                .Select(g => (Literal: g.Key, Targets: g.Select(k => k.Target).ToArray())).ToList();
            RawKeywords = new LiteralIndex([.. escaped.Select(e => e.Literal)]);
            RawKeywordTargets = [.. escaped.Select(e => e.Targets)];
        }
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

    /// <summary>
    /// Keyword literals JSON-escaped, searched in an event's raw JSON in one pass: walking and unescaping
    /// every value cost 2.6 µs per Windows event (one Windows-wide keyword rule reaches them all), one
    /// transcode and scan of the raw text a fraction of it. Positions are relaxed to substrings there.
    /// </summary>
    public LiteralIndex? RawKeywords { get; }

    public int[][] RawKeywordTargets { get; } = [];

    private static string JsonEscape(string literal)
    {
        var builder = new System.Text.StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ')
                        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else
                        builder.Append(c);
                    break;
            }
        }
        return builder.ToString();
    }

    private sealed class RequirementComparer : IEqualityComparer<Requirement>
    {
        public bool Equals(Requirement x, Requirement y) =>
            x.Field == y.Field && x.Position == y.Position && string.Equals(x.Literal, y.Literal, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(Requirement r) => HashCode.Combine(r.Field, r.Position, StringComparer.OrdinalIgnoreCase.GetHashCode(r.Literal));
    }
}

/// <summary>The literal requirements of one field, with the structures that find them in its text.</summary>
/// <remarks>
/// Equality, prefix and suffix literals are found with one pass over the ends of the text: a case-folded
/// hash grows one character at a time and is looked up at each length some literal has, then verified.
/// Looking up each distinct length separately (hashing the prefix anew each time) cost ~2 µs per Sysmon
/// process event, the bulk of the pre-filter.
/// </remarks>
internal sealed class FieldLiterals
{
    private readonly PositionTable _equals;
    private readonly PositionTable _prefixes;
    private readonly PositionTable _suffixes;
    private readonly LiteralIndex? _contains;
    private readonly int[][] _containsTargets;

    public FieldLiterals(int field, List<(Requirement Requirement, int Target)> requirements)
    {
        Field = field;
        List<(string Literal, int[] Targets)> Group(LiteralPosition position) => [.. requirements.Where(r => r.Requirement.Position == position)
            .GroupBy(r => r.Requirement.Literal, StringComparer.OrdinalIgnoreCase)
            .Select(g => (g.Key, g.Select(r => r.Target).ToArray()))];
        _equals = new PositionTable(Group(LiteralPosition.Equals), reversed: false);
        _prefixes = new PositionTable(Group(LiteralPosition.Prefix), reversed: false);
        _suffixes = new PositionTable(Group(LiteralPosition.Suffix), reversed: true);
        var contains = Group(LiteralPosition.Contains);
        if (contains.Count > 0)
        {
            _contains = new LiteralIndex([.. contains.Select(c => c.Literal)]);
            _containsTargets = [.. contains.Select(c => c.Targets)];
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
        if (_equals.MaxLength >= span.Length && span.Length > 0)
            _equals.FindEqual(span, ref sink);
        if (_prefixes.MaxLength > 0)
            _prefixes.FindPrefixes(span, ref sink);
        if (_suffixes.MaxLength > 0)
            _suffixes.FindSuffixes(span, ref sink);
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

    /// <summary>Literals keyed by (case-folded hash, length); suffix literals hashed from their end.</summary>
    private sealed class PositionTable
    {
        private const int FilterBits = 1 << 14;
        private readonly Dictionary<ulong, (string Literal, int[] Targets)[]> _byHash = [];
        private readonly bool[] _lengths;
        // One bit per (hash, length) key, tested before the dictionary: most look-ups miss, and the
        // dictionary's FindValue was 5 % of the evaluation.
        private readonly ulong[] _filter = new ulong[FilterBits / 64];

        public PositionTable(List<(string Literal, int[] Targets)> literals, bool reversed)
        {
            MaxLength = literals.Count == 0 ? 0 : literals.Max(l => l.Literal.Length);
            _lengths = new bool[MaxLength + 1];
            foreach (var group in literals.GroupBy(l => Key(HashOf(l.Literal, reversed), l.Literal.Length)))
            {
                _byHash[group.Key] = [.. group];
                var bit = (int)(group.Key & (FilterBits - 1));
                _filter[bit >> 6] |= 1UL << (bit & 63);
            }
            foreach (var (literal, _) in literals)
                _lengths[literal.Length] = true;
        }

        public int MaxLength { get; }

        public void FindEqual<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ILiteralSink
        {
            if (!_lengths[text.Length])
                return;
            Lookup(Key(HashOf(text, reversed: false), text.Length), text, LiteralPosition.Equals, ref sink);
        }

        public void FindPrefixes<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ILiteralSink
        {
            var h = Seed;
            var end = Math.Min(text.Length, MaxLength);
            for (var i = 0; i < end; i++)
            {
                h = Step(h, text[i]);
                if (_lengths[i + 1])
                    Lookup(Key(h, i + 1), text, LiteralPosition.Prefix, ref sink);
            }
        }

        public void FindSuffixes<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ILiteralSink
        {
            var h = Seed;
            var end = Math.Min(text.Length, MaxLength);
            for (var i = 0; i < end; i++)
            {
                h = Step(h, text[text.Length - 1 - i]);
                if (_lengths[i + 1])
                    Lookup(Key(h, i + 1), text, LiteralPosition.Suffix, ref sink);
            }
        }

        private void Lookup<TSink>(ulong key, ReadOnlySpan<char> text, LiteralPosition position, ref TSink sink) where TSink : struct, ILiteralSink
        {
            var bit = (int)(key & (FilterBits - 1));
            if ((_filter[bit >> 6] & (1UL << (bit & 63))) == 0 || !_byHash.TryGetValue(key, out var candidates))
                return;
            foreach (var (literal, targets) in candidates)
            {
                var found = position switch
                {
                    LiteralPosition.Prefix => text.StartsWith(literal, StringComparison.OrdinalIgnoreCase),
                    LiteralPosition.Suffix => text.EndsWith(literal, StringComparison.OrdinalIgnoreCase),
                    _ => text.Equals(literal, StringComparison.OrdinalIgnoreCase),
                };
                if (found)
                    sink.Found(targets);
            }
        }

        private const ulong Seed = 14695981039346656037UL;

        // Folding by upper-casing each character, as ordinal case-insensitive comparison does, so that texts
        // equal under OrdinalIgnoreCase hash alike.
        private static ulong Step(ulong h, char c) =>
            (h ^ (c < 128 ? (c is >= 'a' and <= 'z' ? (uint)(c - 32) : c) : char.ToUpperInvariant(c))) * 1099511628211UL;

        private static ulong HashOf(ReadOnlySpan<char> text, bool reversed)
        {
            var h = Seed;
            for (var i = 0; i < text.Length; i++)
                h = Step(h, reversed ? text[text.Length - 1 - i] : text[i]);
            return h;
        }

        private static ulong Key(ulong hash, int length) => hash ^ ((ulong)length * 0x9E3779B97F4A7C15UL);
    }
}
