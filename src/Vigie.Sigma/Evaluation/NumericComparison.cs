namespace Vigie.Sigma.Evaluation;

/// <summary>How a numeric value is compared with the rule's number.</summary>
internal enum NumericComparison
{
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>The part of a date the time modifiers extract.</summary>
internal enum TimePart
{
    None,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}
