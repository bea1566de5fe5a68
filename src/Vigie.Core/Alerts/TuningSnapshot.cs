using Vigie.Core.Establishments;

namespace Vigie.Core.Alerts;

/// <summary>The suppressions and exceptions active when a batch of detections is grouped; counts their hits on the tracked rows.</summary>
public sealed class TuningSnapshot
{
    private readonly IReadOnlyList<AlertSuppression> _suppressions;
    private readonly IReadOnlyDictionary<Guid, AccessScope> _subtrees;
    private readonly IReadOnlyList<(AlertFilter Row, TuningFilter Filter)> _filters;
    private readonly DateTime _now;

    internal TuningSnapshot(IReadOnlyList<AlertSuppression> suppressions, IReadOnlyDictionary<Guid, AccessScope> subtrees,
        IReadOnlyList<(AlertFilter, TuningFilter)> filters, DateTime now)
    {
        _suppressions = suppressions;
        _subtrees = subtrees;
        _filters = filters;
        _now = now;
    }

    public static TuningSnapshot None { get; } = new([], new Dictionary<Guid, AccessScope>(), [], DateTime.UtcNow);

    /// <summary>The suppression that holds this detection back, with its hit counted; null when none does.</summary>
    public AlertSuppression? Suppressing(IncomingDetection detection, string? entity)
    {
        foreach (var s in _suppressions)
        {
            if (s.RuleId != detection.RuleId)
                continue;
            if (s.Entity is not null && s.Entity != entity)
                continue;
            if (s.EstablishmentId is { } root && !(_subtrees.TryGetValue(root, out var subtree) && subtree.Contains(detection.EstablishmentId)))
                continue;
            s.Hits++;
            s.LastHitAt = _now;
            return s;
        }
        return null;
    }

    /// <summary>The exception whose filter excludes this detection's event, with its hit counted; null when none does.</summary>
    public AlertFilter? Excepting(IncomingDetection detection)
    {
        foreach (var (row, filter) in _filters)
        {
            if (!filter.Excludes(detection))
                continue;
            row.Hits++;
            row.LastHitAt = _now;
            return row;
        }
        return null;
    }
}
