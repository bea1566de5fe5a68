namespace Vigie.Sigma.Evaluation;

/// <summary>Where a required literal must be found in a field's text.</summary>
internal enum LiteralPosition : byte
{
    Contains,
    Equals,
    Prefix,
    Suffix,
}

/// <summary>A literal a rule needs: in which field (-1: any value, for keywords), where, and what.</summary>
internal readonly record struct Requirement(int Field, LiteralPosition Position, string Literal);
