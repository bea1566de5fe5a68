using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

internal enum StringMatchKind
{
    Equals,
    StartsWith,
    EndsWith,
    Contains,
    /// <summary><c>*</c> alone: any non-null value.</summary>
    Any,
}

/// <summary>A value without inner wildcards: equality, prefix, suffix or substring, ordinal (case-insensitive unless <c>cased</c>).</summary>
internal sealed class StringMatcher(StringMatchKind kind, string literal, bool cased) : ValueMatcher
{
    private readonly StringComparison _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public StringMatchKind Kind { get; } = kind;
    public string Literal { get; } = literal;
    public bool Cased { get; } = cased;

    public override bool IgnoresCase => !Cased;

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        return Kind switch
        {
            StringMatchKind.Equals => string.Equals(text, Literal, _comparison),
            StringMatchKind.StartsWith => text.StartsWith(Literal, _comparison),
            StringMatchKind.EndsWith => text.EndsWith(Literal, _comparison),
            StringMatchKind.Contains => text.Contains(Literal, _comparison),
            StringMatchKind.Any => true,
            _ => false,
        };
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        if (Kind == StringMatchKind.Any || Literal.Length == 0)
            return false;
        requirements.Add((Kind switch
        {
            StringMatchKind.Equals => LiteralPosition.Equals,
            StringMatchKind.StartsWith => LiteralPosition.Prefix,
            StringMatchKind.EndsWith => LiteralPosition.Suffix,
            _ => LiteralPosition.Contains,
        }, Literal));
        return true;
    }
}
