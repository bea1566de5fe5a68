namespace Vigie.Sigma.Parsing;

/// <summary>A parsed condition, with <c>1 of</c>/<c>all of</c> already resolved to the identifiers they name.</summary>
internal abstract record ConditionExpression;

internal sealed record AndExpression(IReadOnlyList<ConditionExpression> Operands) : ConditionExpression;

internal sealed record OrExpression(IReadOnlyList<ConditionExpression> Operands) : ConditionExpression;

internal sealed record NotExpression(ConditionExpression Operand) : ConditionExpression;

internal sealed record IdentifierExpression(string Name) : ConditionExpression;
