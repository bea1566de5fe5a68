namespace Vigie.Sigma;

/// <summary>
/// The <c>condition</c> of a correlation: bounds on the aggregated number (several bounds form a range),
/// and for value correlations the <c>field</c> aggregated.
/// </summary>
public sealed record SigmaCorrelationCondition
{
    /// <summary>The field aggregated by value_count, value_sum, value_avg and value_percentile.</summary>
    public string? Field { get; init; }
    /// <summary>Greater than.</summary>
    public double? Gt { get; init; }
    /// <summary>Greater than or equal.</summary>
    public double? Gte { get; init; }
    /// <summary>Less than.</summary>
    public double? Lt { get; init; }
    /// <summary>Less than or equal.</summary>
    public double? Lte { get; init; }
    /// <summary>Equal.</summary>
    public double? Eq { get; init; }
    /// <summary>Not equal.</summary>
    public double? Neq { get; init; }

    /// <summary>Whether the aggregated number satisfies every bound.</summary>
    public bool IsSatisfiedBy(double value) =>
        (Gt is not { } gt || value > gt)
        && (Gte is not { } gte || value >= gte)
        && (Lt is not { } lt || value < lt)
        && (Lte is not { } lte || value <= lte)
        && (Eq is not { } eq || value == eq)
        && (Neq is not { } neq || value != neq);

    /// <summary>Whether any bound is set.</summary>
    public bool HasBounds => Gt is not null || Gte is not null || Lt is not null || Lte is not null || Eq is not null || Neq is not null;
}
