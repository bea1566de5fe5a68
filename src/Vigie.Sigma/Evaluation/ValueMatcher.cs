using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>Tests one field value against one rule value (after its modifiers were applied).</summary>
internal abstract class ValueMatcher
{
    /// <summary>Whether a missing field satisfies this value (only <c>null</c> does).</summary>
    public virtual bool MatchesMissing => false;

    /// <summary>
    /// Whether the answer depends only on the text of a string or number value, ignoring case: such a matcher
    /// can be answered once, when a rule bucket is built, for a field whose value every event of the bucket
    /// shares (up to case).
    /// </summary>
    public virtual bool IgnoresCase => false;

    public abstract bool Matches(in SigmaFieldValue value);

    /// <summary>
    /// Adds literals of which at least one must be found (case-insensitively, at the given position) in the
    /// field's text for a match; false when no such literal exists (regex, numbers, null). Drives the
    /// engine's pre-filter.
    /// </summary>
    public virtual bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements) => false;
}

/// <summary>Matches when any of several alternatives match: the expansion of one rule value (base64offset, windash).</summary>
internal sealed class AnyOfMatcher(ValueMatcher[] alternatives) : ValueMatcher
{
    public ValueMatcher[] Alternatives { get; } = alternatives;

    public override bool MatchesMissing => Array.Exists(Alternatives, a => a.MatchesMissing);

    public override bool IgnoresCase => Array.TrueForAll(Alternatives, a => a.IgnoresCase);

    public override bool Matches(in SigmaFieldValue value)
    {
        foreach (var a in Alternatives)
        {
            if (a.Matches(value))
                return true;
        }
        return false;
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        foreach (var a in Alternatives)
        {
            if (!a.TryAddRequirements(requirements))
                return false;
        }
        return true;
    }
}

/// <summary>The rule value <c>null</c>: the field is missing or null.</summary>
internal sealed class NullMatcher : ValueMatcher
{
    public static readonly NullMatcher Instance = new();

    public override bool MatchesMissing => true;

    public override bool IgnoresCase => true;

    public override bool Matches(in SigmaFieldValue value) => value.Kind == SigmaValueKind.Null;
}

/// <summary>A plain number in the rule: equal as a number, or equal as text (<c>EventID: 4688</c> matches 4688 and "4688").</summary>
internal sealed class NumberEqualsMatcher(double number, string text) : ValueMatcher
{
    public override bool IgnoresCase => true;

    public override bool Matches(in SigmaFieldValue value)
    {
        if (value.Kind == SigmaValueKind.Number)
            return value.Number == number;
        if (value.Kind == SigmaValueKind.String)
            return string.Equals(value.Text, text, StringComparison.OrdinalIgnoreCase)
                || (value.TryGetNumber(out var n) && n == number);
        return false;
    }
}

/// <summary>A boolean in the rule: a boolean field, or the text <c>true</c>/<c>false</c>.</summary>
internal sealed class BooleanMatcher(bool expected) : ValueMatcher
{
    public override bool IgnoresCase => true;

    public override bool Matches(in SigmaFieldValue value) =>
        value.Kind is SigmaValueKind.Boolean or SigmaValueKind.String
        && string.Equals(value.Text, expected ? "true" : "false", StringComparison.OrdinalIgnoreCase);
}
