using Vigie.Sigma.Events;
using Vigie.Sigma.Parsing;

namespace Vigie.Sigma.Evaluation;

/// <summary>A compiled condition: the rule's boolean tree with fields resolved to ids.</summary>
internal abstract class ConditionNode
{
    public abstract bool Evaluate(EvaluationContext context);
}

internal sealed class AndNode(ConditionNode[] operands) : ConditionNode
{
    public ConditionNode[] Operands { get; } = operands;

    public override bool Evaluate(EvaluationContext context)
    {
        foreach (var o in Operands)
        {
            if (!o.Evaluate(context))
                return false;
        }
        return true;
    }
}

internal sealed class OrNode(ConditionNode[] operands) : ConditionNode
{
    public ConditionNode[] Operands { get; } = operands;

    public override bool Evaluate(EvaluationContext context)
    {
        foreach (var o in Operands)
        {
            if (o.Evaluate(context))
                return true;
        }
        return false;
    }
}

internal sealed class NotNode(ConditionNode operand) : ConditionNode
{
    public ConditionNode Operand { get; } = operand;

    public override bool Evaluate(EvaluationContext context) => !Operand.Evaluate(context);
}

internal sealed class ConstantNode(bool value) : ConditionNode
{
    public bool Value { get; } = value;

    public override bool Evaluate(EvaluationContext context) => Value;
}

/// <summary>A field compared with the rule's values.</summary>
internal sealed class FieldNode : ConditionNode
{
    private readonly bool _missingResult;

    public FieldNode(int field, CompiledItem item)
    {
        Field = field;
        Item = item;
        var missing = item.All ? Array.TrueForAll(item.Matchers, m => m.MatchesMissing) : Array.Exists(item.Matchers, m => m.MatchesMissing);
        _missingResult = item.Negate ? !missing : missing;
    }

    public int Field { get; }
    public CompiledItem Item { get; }

    public override bool Evaluate(EvaluationContext context) =>
        context.TryGet(Field, out var value) ? Answer(value) : _missingResult;

    /// <summary>The answer for a field present with this text, when every matcher ignores case; null otherwise.</summary>
    public bool? TryAnswer(string text) =>
        Array.TrueForAll(Item.Matchers, m => m.IgnoresCase) ? Answer(SigmaFieldValue.FromString(text)) : null;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool Answer(in SigmaFieldValue value)
    {
        var matchers = Item.Matchers;
        bool result;
        if (Item.All)
        {
            result = true;
            foreach (var m in matchers)
            {
                if (!Matches(m, value))
                {
                    result = false;
                    break;
                }
            }
        }
        else
        {
            result = false;
            foreach (var m in matchers)
            {
                if (Matches(m, value))
                {
                    result = true;
                    break;
                }
            }
        }
        return result != Item.Negate;
    }

    internal static bool Matches(ValueMatcher m, in SigmaFieldValue value)
    {
        if (value.Kind != SigmaValueKind.List)
            return m.Matches(value);
        foreach (var item in value.Items!)
        {
            if (m.Matches(item))
                return true;
        }
        return false;
    }
}

/// <summary>Keywords: searched in every value of the event.</summary>
internal sealed class KeywordNode(CompiledItem item) : ConditionNode
{
    public CompiledItem Item { get; } = item;

    public override bool Evaluate(EvaluationContext context)
    {
        var values = context.AllValues();
        if (Item.All)
        {
            foreach (var m in Item.Matchers)
            {
                if (!AnyValue(m, values))
                    return Item.Negate;
            }
            return !Item.Negate;
        }
        foreach (var m in Item.Matchers)
        {
            if (AnyValue(m, values))
                return !Item.Negate;
        }
        return Item.Negate;
    }

    private static bool AnyValue(ValueMatcher m, List<SigmaFieldValue> values)
    {
        foreach (var v in values)
        {
            if (m.Matches(v))
                return true;
        }
        return false;
    }
}

/// <summary>Modifier <c>exists</c>.</summary>
internal sealed class ExistsNode(int field, bool expected) : ConditionNode
{
    public int Field { get; } = field;
    public bool Expected { get; } = expected;

    public override bool Evaluate(EvaluationContext context) => context.TryGet(Field, out _) == Expected;
}

/// <summary>Modifier <c>fieldref</c>: the field compared with other fields of the same event.</summary>
internal sealed class FieldRefNode(int field, int[] references, CompiledItem item) : ConditionNode
{
    public override bool Evaluate(EvaluationContext context)
    {
        var found = context.TryGet(field, out var value);
        bool result;
        if (item.All)
        {
            result = true;
            foreach (var r in references)
            {
                if (!Compare(found, value, context, r))
                {
                    result = false;
                    break;
                }
            }
        }
        else
        {
            result = false;
            foreach (var r in references)
            {
                if (Compare(found, value, context, r))
                {
                    result = true;
                    break;
                }
            }
        }
        return result != item.Negate;
    }

    private bool Compare(bool found, in SigmaFieldValue value, EvaluationContext context, int reference)
    {
        if (!found || !context.TryGet(reference, out var other) || value.Text is not { } a || other.Text is not { } b)
            return false;
        var comparison = item.Cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return item.ReferenceMode switch
        {
            StringMatchKind.Contains => a.Contains(b, comparison),
            StringMatchKind.StartsWith => a.StartsWith(b, comparison),
            StringMatchKind.EndsWith => a.EndsWith(b, comparison),
            _ => string.Equals(a, b, comparison),
        };
    }
}
