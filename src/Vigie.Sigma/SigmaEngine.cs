using System.Collections.Concurrent;
using Vigie.Sigma.Evaluation;
using Vigie.Sigma.Mapping;

namespace Vigie.Sigma;

/// <summary>
/// A compiled set of Sigma rules. Rules are grouped by the logsource of the events they apply to and
/// gated by the literals they require, so that an event is evaluated only against the rules that can
/// match it. Immutable and thread-safe; each thread evaluates through its own <see cref="SigmaEvaluator"/>.
/// </summary>
public sealed class SigmaEngine
{
    private const int MaxCachedSignatures = 4096;
    private readonly CompiledRule[] _rules;
    private readonly SigmaLogsourceCatalog? _catalog;
    private readonly IReadOnlyList<IReadOnlyList<SigmaLogsourceCatalog.Alternative>>[] _predicates;
    private readonly int[] _discriminators;
    private readonly bool[] _discriminatorNeedsValue;
    // Per anchor: its discriminator index, and which discriminators decide an event that carries it.
    private readonly (int Anchor, bool[] Deciding, int[] Fields)[] _anchors = [];
    private readonly int[] _allDiscriminators;
    private readonly ConcurrentDictionary<string, RuleBucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly RuleBucket? _allRules;
    private readonly HashSet<SigmaRule> _correlationOnly = [];
    private readonly bool _usePrefilter;

    private SigmaEngine(CompiledRule[] rules, string[][] fieldNames, SigmaLogsourceCatalog? catalog,
        IReadOnlyList<IReadOnlyList<SigmaLogsourceCatalog.Alternative>>[] predicates, int[] discriminators,
        IReadOnlyList<SigmaEngineDiagnostic> diagnostics, SigmaRuleSet set, bool usePrefilter)
    {
        _rules = rules;
        _usePrefilter = usePrefilter;
        FieldNames = fieldNames;
        _catalog = catalog;
        _predicates = predicates;
        _discriminators = discriminators;
        Diagnostics = diagnostics;
        RuleSet = set;
        Rules = [.. rules.Select(r => r.Rule)];
        _discriminatorNeedsValue = new bool[discriminators.Length];
        _allDiscriminators = [.. Enumerable.Range(0, discriminators.Length)];
        if (catalog is not null)
        {
            var names = catalog.DiscriminatorFields;
            _anchors = [.. catalog.Anchors.Where(a => names.Contains(a.Field)).Select(a =>
            {
                var deciding = new bool[names.Count];
                for (var i = 0; i < names.Count; i++)
                    deciding[i] = names[i] == a.Field || a.Deciding.Contains(names[i]);
                var fields = new List<int>();
                for (var i = 0; i < deciding.Length; i++)
                {
                    if (deciding[i])
                        fields.Add(i);
                }
                return (IndexOf(names, a.Field), deciding, fields.ToArray());
            })];
            foreach (var definition in catalog.All)
            {
                foreach (var alternative in definition)
                {
                    foreach (var (field, values) in alternative.Constraints)
                    {
                        if (values is not ["*"])
                            _discriminatorNeedsValue[field] = true;
                    }
                }
            }
        }
        else
        {
            _allRules = new RuleBucket([.. rules]);
        }
        var index = SigmaRuleSet.Index(set.Rules, r => r.Id, r => r.Name);
        foreach (var correlation in set.Correlations.Where(c => !c.Generate))
        {
            foreach (var reference in correlation.Rules)
            {
                if (index.TryGetValue(reference, out var rule))
                    _correlationOnly.Add(rule);
            }
        }
    }

    /// <summary>The compiled rules, in evaluation and reporting order.</summary>
    public IReadOnlyList<SigmaRule> Rules { get; }

    /// <summary>What was reported while compiling: unmapped fields, unknown logsources, placeholders without values.</summary>
    public IReadOnlyList<SigmaEngineDiagnostic> Diagnostics { get; }

    /// <summary>The rule set the engine was compiled from (its correlations feed a correlator).</summary>
    public SigmaRuleSet RuleSet { get; }

    internal string[][] FieldNames { get; }

    /// <summary>
    /// Whether a rule only feeds correlations (named by a correlation without <c>generate: true</c>), so that
    /// its own matches are not alerts.
    /// </summary>
    public bool IsCorrelationOnly(SigmaRule rule) => _correlationOnly.Contains(rule);

    /// <summary>Compiles the rules of a set (filters folded into the rules they name).</summary>
    public static SigmaEngine Compile(SigmaRuleSet set, SigmaEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        options ??= new SigmaEngineOptions();
        var diagnostics = new List<SigmaEngineDiagnostic>();
        var compiler = new RuleCompiler(options, diagnostics);
        var catalog = options.Logsources;
        var discriminators = catalog is null ? [] : catalog.DiscriminatorFields.Select(compiler.RawField).ToArray();
        var predicates = new List<IReadOnlyList<IReadOnlyList<SigmaLogsourceCatalog.Alternative>>>();
        var predicateIds = new Dictionary<SigmaLogsource, int>();
        var filtersByRule = new Dictionary<string, List<SigmaFilter>>(StringComparer.Ordinal);
        foreach (var filter in set.Filters)
        {
            foreach (var reference in filter.Rules)
            {
                if (!filtersByRule.TryGetValue(reference, out var list))
                    filtersByRule[reference] = list = [];
                list.Add(filter);
            }
        }

        var compiled = new List<CompiledRule>();
        foreach (var rule in set.Rules)
        {
            if (options.RuleSelector is { } select && !select(rule))
                continue;
            var root = compiler.Compile(rule.Detection, rule, "detection");
            var filters = new List<SigmaFilter>();
            if (rule.Id is not null && filtersByRule.TryGetValue(rule.Id, out var byId))
                filters.AddRange(byId);
            if (rule.Name is not null && filtersByRule.TryGetValue(rule.Name, out var byName))
                filters.AddRange(byName);
            var applied = new List<ConditionNode>();
            foreach (var filter in filters.Distinct())
            {
                if (!Compatible(filter.Logsource, rule.Logsource))
                {
                    diagnostics.Add(new SigmaEngineDiagnostic(rule.Reference, rule.Source,
                        $"filter '{filter.Reference}' is written for logsource {filter.Logsource}, not {rule.Logsource}: not applied"));
                    continue;
                }
                applied.Add(new NotNode(compiler.Compile(filter.Detection, rule, $"filter '{filter.Reference}'")));
            }
            if (applied.Count > 0)
                root = new AndNode([root, .. applied]);

            var logsource = -1;
            if (catalog is not null)
            {
                if (!predicateIds.TryGetValue(rule.Logsource, out logsource))
                {
                    var resolved = catalog.Resolve(rule.Logsource, out var unknown);
                    if (resolved is null)
                    {
                        logsource = -1;
                    }
                    else
                    {
                        logsource = predicates.Count;
                        predicates.Add(resolved);
                    }
                    predicateIds[rule.Logsource] = logsource;
                    if (unknown is not null)
                        diagnostics.Add(new SigmaEngineDiagnostic(rule.Reference, rule.Source,
                            $"logsource {rule.Logsource}: the catalog does not define {unknown}; the rule runs only on events no logsource claims"));
                }
                else if (logsource < 0)
                {
                    diagnostics.Add(new SigmaEngineDiagnostic(rule.Reference, rule.Source,
                        $"logsource {rule.Logsource} is not defined; the rule runs only on events no logsource claims"));
                }
            }
            var compiledRule = new CompiledRule(compiled.Count, rule, root, logsource);
            if (options.UsePrefilter)
                compiledRule.Requirements = Prefilter.Required(root);
            compiled.Add(compiledRule);
        }
        return new SigmaEngine([.. compiled], compiler.FieldNames, catalog, [.. predicates], discriminators, diagnostics, set, options.UsePrefilter);
    }

    private static bool Compatible(SigmaLogsource? filter, SigmaLogsource rule) =>
        filter is null
        || ((filter.Product is null || filter.Product == rule.Product)
            && (filter.Category is null || filter.Category == rule.Category)
            && (filter.Service is null || filter.Service == rule.Service));

    /// <summary>A new evaluator (not thread-safe: one per thread).</summary>
    public SigmaEvaluator CreateEvaluator() => new(this);

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
                return i;
        }
        return -1;
    }

    /// <summary>
    /// The rules that apply to the event: its logsource signature (the values of the discriminating fields) is
    /// hashed without allocating and looked up in the evaluator's own cache first. Building the signature as a
    /// string for every event (a StringBuilder, a join, a case-insensitive hash of ~60 characters) cost 1.1 µs
    /// per EVTX record, 6 % of a whole-corpus scan.
    /// </summary>
    internal RuleBucket BucketFor(EvaluationContext context, BucketCache cache)
    {
        if (_allRules is not null)
            return _allRules;
        var values = cache.Values;
        // An anchor field present (a Windows channel) limits the look-ups to the fields that decide such events.
        var fields = _allDiscriminators;
        var anchor = -1;
        for (var a = 0; a < _anchors.Length; a++)
        {
            if (context.TryGet(_discriminators[_anchors[a].Anchor], out _))
            {
                fields = _anchors[a].Fields;
                anchor = a;
                break;
            }
        }
        var hash = anchor;
        var simple = true;
        foreach (var i in fields)
        {
            string? text = null;
            if (context.TryGet(_discriminators[i], out var v))
            {
                if (!_discriminatorNeedsValue[i])
                {
                    text = "";
                }
                else if (v.Kind == Events.SigmaValueKind.List)
                {
                    text = string.Join('\n', v.Items!.Select(x => x.Text));
                    simple = false;
                }
                else
                {
                    text = v.Text ?? "";
                }
            }
            values[i] = text;
            hash = (hash * 31) + (text is null ? -1 : QuickHash(text));
        }
        if (simple && cache.TryFind(hash, anchor, values, fields, out var cached))
            return cached;
        if (!ReferenceEquals(fields, _allDiscriminators))
        {
            // The fields an anchor leaves out are absent from its signature.
            for (var i = 0; i < values.Length; i++)
            {
                if (Array.IndexOf(fields, i) < 0)
                    values[i] = null;
            }
        }
        var key = cache.Key.Clear();
        if (anchor >= 0)
            key.Append((char)('a' + anchor));
        foreach (var text in values)
            key.Append(text is null ? "\u0002" : text).Append('\u0001');
        var signature = key.ToString();
        if (!_buckets.TryGetValue(signature, out var bucket))
        {
            var lowered = new string?[values.Length];
            for (var i = 0; i < values.Length; i++)
                lowered[i] = values[i]?.ToLowerInvariant();
            bucket = BuildBucket(lowered);
            if (_buckets.Count < MaxCachedSignatures)
                _buckets.TryAdd(signature, bucket);
        }
        if (simple)
            cache.Add(hash, anchor, values, bucket);
        return bucket;
    }

    // Channel names and event ids differ in length and in a few characters far more often than they collide; the
    // cache verifies every value, so a weak hash only costs a comparison. Hashing whole names case-insensitively
    // (Marvin, upper-casing) was a third of the bucket look-up.
    private static int QuickHash(string text) =>
        text.Length == 0 ? 0 : (text.Length * 31) ^ ((text[^1] | 0x20) * 131) ^ ((text[text.Length / 2] | 0x20) * 1031) ^ ((text[text.Length / 3] | 0x20) * 7);

    internal int DiscriminatorCount => _discriminators.Length;

    private RuleBucket BuildBucket(string?[] values)
    {
        var matches = new bool[_predicates.Length];
        for (var p = 0; p < _predicates.Length; p++)
            matches[p] = _predicates[p].All(definition => SigmaLogsourceCatalog.Satisfies(definition, values));
        var claimed = _catalog!.All.Any(definition => SigmaLogsourceCatalog.Satisfies(definition, values));
        // The deciding fields' values every event of this bucket shares (up to case): not the fields an anchor
        // leaves out of the signature (null), nor those only tested for presence, nor values whose text does not
        // stand for the value alone (a list joined by line breaks, an object, an empty or null value).
        var known = new Dictionary<int, string>();
        for (var i = 0; i < values.Length; i++)
        {
            if (_discriminatorNeedsValue[i] && values[i] is { Length: > 0 } text && text[0] is not ('{' or '[') && !text.Contains('\n', StringComparison.Ordinal))
                known[_discriminators[i]] = text;
        }
        var rules = new List<CompiledRule>();
        foreach (var rule in _rules)
        {
            if (!(rule.Logsource >= 0 ? matches[rule.Logsource] : !claimed))
                continue;
            var root = known.Count == 0 ? rule.Root : BucketSimplifier.Simplify(rule.Root, known);
            if (ReferenceEquals(root, rule.Root))
            {
                rules.Add(rule);
                continue;
            }
            if (root is ConstantNode { Value: false })
                continue;
            rules.Add(new CompiledRule(rule.Index, rule.Rule, root, rule.Logsource)
            {
                Requirements = _usePrefilter ? Prefilter.Required(root) : null,
            });
        }
        return new RuleBucket(rules);
    }
}
