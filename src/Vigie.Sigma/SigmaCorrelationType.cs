namespace Vigie.Sigma;

/// <summary>The correlation types of the Sigma correlation specification (v2.1).</summary>
public enum SigmaCorrelationType
{
    /// <summary><c>event_count</c>: how many matching events per group within the timespan.</summary>
    EventCount,
    /// <summary><c>value_count</c>: how many distinct values of a field per group.</summary>
    ValueCount,
    /// <summary><c>temporal</c>: all the named rules matched, in any order, within the timespan.</summary>
    Temporal,
    /// <summary><c>temporal_ordered</c>: all the named rules matched in the order listed.</summary>
    TemporalOrdered,
    /// <summary><c>value_sum</c>: the sum of a numeric field per group.</summary>
    ValueSum,
    /// <summary><c>value_avg</c>: the average of a numeric field per group.</summary>
    ValueAvg,
    /// <summary><c>value_percentile</c>: how rare the current event's value of a field is in its group, as a percentage.</summary>
    ValuePercentile,
}
