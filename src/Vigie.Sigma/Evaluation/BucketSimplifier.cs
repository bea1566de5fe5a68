namespace Vigie.Sigma.Evaluation;

/// <summary>
/// Simplifies rule conditions for one rule bucket: every event of a bucket shares the values of its deciding
/// fields (a Windows channel and event id), so a comparison of such a field is answered once, when the bucket
/// is built, and the condition folded. A rule that can no longer match leaves the bucket; the rest lose the
/// comparisons, and their literal requirements are taken again from what remains.
/// </summary>
/// <remarks>
/// A Security event bucket held 151 rules gated by literals of 64 fields, most of them written for other event
/// ids of the channel: each event read and searched all 64 fields.
/// </remarks>
internal static class BucketSimplifier
{
    /// <summary>The condition with <paramref name="known"/> fields (field id → text shared by every event, up to case) answered.</summary>
    public static ConditionNode Simplify(ConditionNode node, IReadOnlyDictionary<int, string> known)
    {
        switch (node)
        {
            case FieldNode field when known.TryGetValue(field.Field, out var text) && field.TryAnswer(text) is { } answer:
                return answer ? True : False;
            case ExistsNode exists when known.ContainsKey(exists.Field):
                return exists.Expected ? True : False;
            case NotNode not:
                var operand = Simplify(not.Operand, known);
                if (operand is ConstantNode constant)
                    return constant.Value ? False : True;
                return ReferenceEquals(operand, not.Operand) ? not : new NotNode(operand);
            case AndNode and:
                return Combine(and, and.Operands, known, absorbing: false);
            case OrNode or:
                return Combine(or, or.Operands, known, absorbing: true);
            default:
                return node;
        }
    }

    /// <summary>AND (<paramref name="absorbing"/> false) or OR (true) of the simplified operands.</summary>
    private static ConditionNode Combine(ConditionNode original, ConditionNode[] operands, IReadOnlyDictionary<int, string> known, bool absorbing)
    {
        List<ConditionNode>? kept = null;
        for (var i = 0; i < operands.Length; i++)
        {
            var simplified = Simplify(operands[i], known);
            if (simplified is ConstantNode constant)
            {
                if (constant.Value == absorbing)
                    return constant;
                kept ??= [.. operands.AsSpan(0, i)];
                continue;
            }
            if (kept is null && !ReferenceEquals(simplified, operands[i]))
                kept = [.. operands.AsSpan(0, i)];
            kept?.Add(simplified);
        }
        if (kept is null)
            return original;
        return kept.Count switch
        {
            0 => absorbing ? False : True,
            1 => kept[0],
            _ => absorbing ? new OrNode([.. kept]) : new AndNode([.. kept]),
        };
    }

    private static readonly ConstantNode True = new(true);
    private static readonly ConstantNode False = new(false);
}
