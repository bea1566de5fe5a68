namespace Vigie.Core.Alerts;

/// <summary>
/// Detections in the order they were stored, read after a position: what the alert pump consumes. The
/// position is the source's own (a row id); the pump keeps it in <c>alert_cursors</c>.
/// </summary>
public interface IDetectionSource
{
    /// <summary>The source's name, the key of its cursor and of its detections' ids.</summary>
    string Name { get; }

    /// <summary>At most <paramref name="limit"/> detections stored after <paramref name="after"/>, and the position of the last.</summary>
    Task<DetectionBatch> ReadAfterAsync(long after, int limit, CancellationToken ct);
}

/// <summary>Detections read from a source and the position to read after next time.</summary>
public sealed record DetectionBatch(IReadOnlyList<IncomingDetection> Items, long Next);
