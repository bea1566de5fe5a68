namespace Vigie.Sigma.Correlation;

/// <summary>A correlation rule that fired.</summary>
/// <param name="Correlation">The correlation rule.</param>
/// <param name="Time">The time of the event that completed it.</param>
/// <param name="Group">The group-by values, in the order of the rule's <c>group-by</c>.</param>
/// <param name="Value">The aggregated number the condition held for (count, distinct values, sum, average, percentage).</param>
/// <param name="EventCount">How many matches were in the window.</param>
public sealed record SigmaCorrelationMatch(SigmaCorrelationRule Correlation, DateTimeOffset Time, IReadOnlyList<string> Group, double Value, int EventCount);
