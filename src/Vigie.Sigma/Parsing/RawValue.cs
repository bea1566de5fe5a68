namespace Vigie.Sigma.Parsing;

/// <summary>A scalar from a rule's YAML: its text, and whether it was a plain number, boolean or null.</summary>
internal readonly record struct RawValue(RawValueKind Kind, string Text, double Number, int Line)
{
    public static RawValue Null(int line) => new(RawValueKind.Null, "", double.NaN, line);
}

internal enum RawValueKind
{
    String,
    Number,
    Boolean,
    Null,
}
