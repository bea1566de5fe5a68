using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;

namespace Vigie.Core.Incidents;

/// <summary>
/// Incidents by type, establishment and severity, and how fast they were handled: time to detect (first
/// activity → first alert), to acknowledge (first alert → first acknowledgement), to contain and to close
/// (first alert → contained, closed). Incidents merged into others are left out.
/// </summary>
public sealed class IncidentMetrics(VigieDbContext db)
{
    public sealed record Durations(int Count, TimeSpan? Mean, TimeSpan? Median);

    public sealed record Figures(int Incidents, int Open, int Contained, int Closed,
        IReadOnlyDictionary<string, int> ByType, IReadOnlyDictionary<string, int> BySeverity, IReadOnlyDictionary<Guid, int> ByEstablishment,
        Durations TimeToDetect, Durations TimeToAcknowledge, Durations TimeToContain, Durations TimeToClose);

    public async Task<Figures> ComputeAsync(IncidentVisibility visibility, DateTime? from, DateTime? to, CancellationToken ct = default)
    {
        var q = visibility.Apply(db.Incidents.AsNoTracking()).Where(i => i.MergedIntoId == null);
        if (from is { } f)
        {
            var start = f.ToUniversalTime();
            q = q.Where(i => i.CreatedAt >= start);
        }
        if (to is { } t)
        {
            var end = t.ToUniversalTime();
            q = q.Where(i => i.CreatedAt < end);
        }
        var incidents = await q.ToListAsync(ct);
        var ids = incidents.Select(i => i.Id).ToList();
        var acknowledged = (await db.Alerts.AsNoTracking().Where(a => a.IncidentId != null && ids.Contains(a.IncidentId.Value) && a.AcknowledgedAt != null)
                .Select(a => new { a.IncidentId, a.AcknowledgedAt }).ToListAsync(ct))
            .GroupBy(a => a.IncidentId!.Value).ToDictionary(g => g.Key, g => g.Min(a => a.AcknowledgedAt!.Value));

        var detect = new List<TimeSpan>();
        var ack = new List<TimeSpan>();
        var contain = new List<TimeSpan>();
        var close = new List<TimeSpan>();
        foreach (var i in incidents)
        {
            var detected = i.DetectedAt ?? i.CreatedAt;
            if (i.FirstActivityAt is { } first && i.DetectedAt is { } d)
                detect.Add(d - first);
            ack.Add((acknowledged.TryGetValue(i.Id, out var a) && a < i.CreatedAt ? a : i.CreatedAt) - detected);
            if (i.ContainedAt is { } c)
                contain.Add(c - detected);
            if (i.ClosedAt is { } x)
                close.Add(x - detected);
        }
        static Durations D(List<TimeSpan> values) => new(values.Count, AlertMetrics.Mean(values), AlertMetrics.Median(values));
        return new Figures(incidents.Count,
            incidents.Count(i => i.Status == IncidentStatus.Open), incidents.Count(i => i.Status == IncidentStatus.Contained), incidents.Count(i => i.Status == IncidentStatus.Closed),
            incidents.GroupBy(i => i.Type.ToName()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            incidents.GroupBy(i => i.Severity).OrderByDescending(g => g.Key).ToDictionary(g => g.Key.ToName(), g => g.Count()),
            incidents.GroupBy(i => i.EstablishmentId).ToDictionary(g => g.Key, g => g.Count()),
            D(detect), D(ack), D(contain), D(close));
    }
}
