using Vigie.Sigma.Mapping;
using Vigie.Sigma.Parsing;

namespace Vigie.Sigma.Evaluation;

/// <summary>Turns rule trees into condition nodes: field names mapped and numbered, filters folded in.</summary>
internal sealed class RuleCompiler(SigmaEngineOptions options, List<SigmaEngineDiagnostic> diagnostics)
{
    private readonly Dictionary<string, int> _fieldIds = new(StringComparer.Ordinal);
    private readonly List<string[]> _fieldNames = [];

    public string[][] FieldNames => [.. _fieldNames];

    /// <summary>A field id for raw event names (no mapping): logsource discriminators.</summary>
    public int RawField(string name) => Id([name]);

    private int Id(string[] names)
    {
        var key = string.Join('\0', names);
        if (!_fieldIds.TryGetValue(key, out var id))
        {
            id = _fieldNames.Count;
            _fieldIds[key] = id;
            _fieldNames.Add(names);
        }
        return id;
    }

    public ConditionNode Compile(SigmaDetection detection, SigmaRule owner, string what)
    {
        var cache = new Dictionary<string, ConditionNode>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        var node = Compile(detection.Condition, detection, cache, warnings, unmapped);
        foreach (var w in warnings.Distinct())
            diagnostics.Add(new SigmaEngineDiagnostic(owner.Reference, owner.Source, $"{what}: {w}"));
        if (unmapped.Count > 0)
            diagnostics.Add(new SigmaEngineDiagnostic(owner.Reference, owner.Source,
                $"{what}: field{(unmapped.Count > 1 ? "s" : "")} {string.Join(", ", unmapped)} not in the '{options.FieldMapping.Name}' mapping; looked up as written"));
        return node;
    }

    private ConditionNode Compile(ConditionExpression e, SigmaDetection detection, Dictionary<string, ConditionNode> cache,
        List<string> warnings, SortedSet<string> unmapped) => e switch
    {
        AndExpression a => new AndNode([.. a.Operands.Select(o => Compile(o, detection, cache, warnings, unmapped))]),
        OrExpression o => new OrNode([.. o.Operands.Select(x => Compile(x, detection, cache, warnings, unmapped))]),
        NotExpression n => new NotNode(Compile(n.Operand, detection, cache, warnings, unmapped)),
        IdentifierExpression i => cache.TryGetValue(i.Name, out var done) ? done
            : cache[i.Name] = CompileSearch(detection.Searches[i.Name], warnings, unmapped),
        _ => throw new InvalidOperationException("unknown condition expression"),
    };

    private ConditionNode CompileSearch(SearchNode search, List<string> warnings, SortedSet<string> unmapped)
    {
        switch (search)
        {
            case ItemsSearch items:
                var nodes = items.Items.Select(i => CompileItem(i, warnings, unmapped)).ToArray();
                return nodes.Length == 1 ? nodes[0] : new AndNode(nodes);
            case AlternativesSearch alternatives:
                var options = alternatives.Alternatives.Select(a => CompileSearch(a, warnings, unmapped)).ToArray();
                return options.Length == 1 ? options[0] : new OrNode(options);
            default:
                throw new InvalidOperationException("unknown search");
        }
    }

    private ConditionNode CompileItem(DetectionItem item, List<string> warnings, SortedSet<string> unmapped)
    {
        var compiled = item.GetCompiled(options.Placeholders, warnings);
        if (compiled.Kind == DetectionItemKind.Keywords)
            return new KeywordNode(compiled);
        var field = MapField(item.Field!, unmapped);
        return compiled.Kind switch
        {
            DetectionItemKind.Exists => new ExistsNode(field, compiled.ExistsExpected),
            DetectionItemKind.FieldRef => new FieldRefNode(field, [.. compiled.ReferencedFields.Select(f => MapField(f, unmapped))], compiled),
            DetectionItemKind.Values or DetectionItemKind.Keywords => new FieldNode(field, compiled),
            _ => throw new InvalidOperationException("unknown item kind"),
        };
    }

    private int MapField(string ruleField, SortedSet<string> unmapped)
    {
        var (names, mapped) = options.FieldMapping.Resolve(ruleField);
        if (!mapped)
            unmapped.Add(ruleField);
        return Id(names);
    }
}
