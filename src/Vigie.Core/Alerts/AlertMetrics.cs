using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;

namespace Vigie.Core.Alerts;

/// <summary>Time to acknowledge and time to close, per establishment, over the alerts created in a period.</summary>
public sealed class AlertMetrics(VigieDbContext db)
{
    public sealed record EstablishmentFigures(Guid? EstablishmentId, int Alerts, int Acknowledged, int Closed,
        TimeSpan? MeanTimeToAcknowledge, TimeSpan? MedianTimeToAcknowledge, TimeSpan? MeanTimeToClose, TimeSpan? MedianTimeToClose);

    public async Task<IReadOnlyList<EstablishmentFigures>> ComputeAsync(AlertVisibility visibility, DateTime? from, DateTime? to, CancellationToken ct = default)
    {
        var query = visibility.Apply(db.Alerts.AsNoTracking());
        if (from is { } f)
        {
            var start = f.ToUniversalTime();
            query = query.Where(a => a.CreatedAt >= start);
        }
        if (to is { } t)
        {
            var end = t.ToUniversalTime();
            query = query.Where(a => a.CreatedAt < end);
        }
        var rows = await query.Select(a => new { a.EstablishmentId, a.CreatedAt, a.AcknowledgedAt, a.ClosedAt }).ToListAsync(ct);
        return rows.GroupBy(r => r.EstablishmentId)
            .Select(g =>
            {
                var ack = g.Where(r => r.AcknowledgedAt is not null).Select(r => r.AcknowledgedAt!.Value - r.CreatedAt).ToList();
                var close = g.Where(r => r.ClosedAt is not null).Select(r => r.ClosedAt!.Value - r.CreatedAt).ToList();
                return new EstablishmentFigures(g.Key, g.Count(), ack.Count, close.Count, Mean(ack), Median(ack), Mean(close), Median(close));
            })
            .OrderByDescending(m => m.Alerts)
            .ToList();
    }

    public static TimeSpan? Mean(IReadOnlyCollection<TimeSpan> values) =>
        values.Count == 0 ? null : TimeSpan.FromTicks((long)values.Average(v => (double)v.Ticks));

    public static TimeSpan? Median(IReadOnlyCollection<TimeSpan> values)
    {
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : TimeSpan.FromTicks((sorted[mid - 1].Ticks + sorted[mid].Ticks) / 2);
    }
}
