using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;

namespace Vigie.Core.Privacy;

/// <summary>
/// The one privacy monitor of a Vigie process, with its establishments and its baselines. Its state is memory;
/// on first use it relearns the baselines from the last weeks of the privacy index, so a restart forgets nothing
/// the index holds. Batches are processed one at a time.
/// </summary>
public sealed class PrivacyMonitorHost(PatientPseudonyms pseudonyms)
{
    public static readonly TimeSpan WarmUpPeriod = TimeSpan.FromDays(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, (Guid Id, string Zone)> _establishments = new(StringComparer.OrdinalIgnoreCase);
    private PrivacyMonitor? _monitor;

    /// <summary>Runs <paramref name="work"/> with the monitor, alone, after loading what it needs.</summary>
    public async Task<T> RunAsync<T>(VigieDbContext db, IEnumerable<string?> organizations, Func<PrivacyMonitor, T> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_monitor is null || organizations.Any(o => o is not null && !_establishments.ContainsKey(o)))
                _establishments = (await db.Establishments.AsNoTracking().ToListAsync(ct)).ToDictionary(e => e.Code, e => (e.Id, e.TimeZone), StringComparer.OrdinalIgnoreCase);
            if (_monitor is null)
            {
                var monitor = new PrivacyMonitor(EstablishmentOf, ZoneOf, patientKey: Key);
                var since = DateTime.UtcNow - WarmUpPeriod;
                var history = db.PrivacyAccesses.AsNoTracking().Where(a => a.Time >= since).OrderBy(a => a.Time).AsAsyncEnumerable();
                await foreach (var row in history.WithCancellation(ct))
                    monitor.Learn(RecordAccess.FromIndex(row));
                _monitor = monitor;
            }
            return work(_monitor);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Guid? EstablishmentOf(string? code) => code is not null && _establishments.TryGetValue(code, out var e) ? e.Id : null;

    private string ZoneOf(string? code) => code is not null && _establishments.TryGetValue(code, out var e) ? e.Zone : Establishment.DefaultTimeZone;

    private string Key(string patient) => PatientPseudonyms.IsPseudonym(patient) ? patient : pseudonyms.Of(patient);
}
