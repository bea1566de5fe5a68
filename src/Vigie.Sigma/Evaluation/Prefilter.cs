using Vigie.Sigma.Parsing;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// Finds, for a condition tree, literals of which at least one must occur in the event for the rule to
/// match (each with the field it must occur in; -1 for keywords). AND keeps its most selective operand,
/// OR needs every operand to have literals, NOT and non-string comparisons have none.
/// </summary>
internal static class Prefilter
{
    public static List<(int Field, string Literal)>? Required(ConditionNode node)
    {
        switch (node)
        {
            case AndNode and:
                List<(int, string)>? best = null;
                foreach (var o in and.Operands)
                {
                    var r = Required(o);
                    if (r is not null && (best is null || Better(r, best)))
                        best = r;
                }
                return best;
            case OrNode or:
                var union = new List<(int, string)>();
                foreach (var o in or.Operands)
                {
                    var r = Required(o);
                    if (r is null)
                        return null;
                    union.AddRange(r);
                }
                return union;
            case FieldNode field:
                return ForItem(field.Item, field.Field);
            case KeywordNode keyword:
                return ForItem(keyword.Item, -1);
            default:
                return null;
        }
    }

    private static List<(int, string)>? ForItem(CompiledItem item, int field)
    {
        if (item.Negate)
            return null;
        var literals = new List<string>();
        if (item.All)
        {
            // Every value must match: any one value's literals are required; keep the most selective.
            List<string>? best = null;
            foreach (var m in item.Matchers)
            {
                var one = new List<string>();
                if (m.TryAddRequiredLiterals(one) && (best is null || Better(one, best)))
                    best = one;
            }
            if (best is null)
                return null;
            literals = best;
        }
        else
        {
            foreach (var m in item.Matchers)
            {
                if (m.MatchesMissing || !m.TryAddRequiredLiterals(literals))
                    return null;
            }
        }
        return [.. literals.Select(l => (field, l))];
    }

    /// <summary>Fewer literals, then longer shortest literal: fewer false candidates.</summary>
    private static bool Better(List<(int, string)> a, List<(int, string)> b) => Better([.. a.Select(x => x.Item2)], [.. b.Select(x => x.Item2)]);

    private static bool Better(List<string> a, List<string> b)
    {
        var minA = a.Count == 0 ? int.MaxValue : a.Min(x => x.Length);
        var minB = b.Count == 0 ? int.MaxValue : b.Min(x => x.Length);
        var weakA = minA < 3;
        var weakB = minB < 3;
        if (weakA != weakB)
            return !weakA;
        return a.Count != b.Count ? a.Count < b.Count : minA > minB;
    }
}
