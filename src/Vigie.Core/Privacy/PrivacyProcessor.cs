using System.Text.Json;
using Vigie.Core.Alerts;
using Vigie.Core.Data;

namespace Vigie.Core.Privacy;

/// <summary>
/// Takes a batch of record accesses through privacy monitoring: the monitor's detections become alerts, and
/// every access enters the privacy index (patient pseudonymised) with its risk score and facts.
/// </summary>
public sealed class PrivacyProcessor(VigieDbContext db, PrivacyMonitorHost host, AlertBuilder alerts, PatientPseudonyms pseudonyms)
{
    public sealed record Outcome(int Accesses, int Detections, int AlertsCreated, int AlertsGrouped);

    public async Task<Outcome> ProcessAsync(IReadOnlyList<RecordAccess> accesses, CancellationToken ct = default)
    {
        if (accesses.Count == 0)
            return new Outcome(0, 0, 0, 0);
        var ordered = accesses.OrderBy(a => a.Time).ToList();
        var (detections, rows) = await host.RunAsync(db, ordered.Select(a => a.Organization).Distinct(), monitor =>
        {
            var found = new List<IncomingDetection>();
            var index = new List<PrivacyAccess>(ordered.Count);
            foreach (var access in ordered)
            {
                var mine = monitor.Process(access);
                found.AddRange(mine);
                index.Add(new PrivacyAccess
                {
                    Time = access.Time,
                    UserName = Truncate(access.User!, 200),
                    PatientPseudonym = access.PatientId is { } p ? (PatientPseudonyms.IsPseudonym(p) ? p : pseudonyms.Of(p)) : null,
                    Organization = access.Organization,
                    EstablishmentId = host.EstablishmentOf(access.Organization),
                    Action = Truncate(access.Action ?? "unknown", 40),
                    Decision = access.Decision,
                    Purpose = access.Purpose,
                    BreakGlass = access.BreakGlass,
                    CareRelationship = access.CareRelationship,
                    SourceAddress = access.SourceAddress,
                    RiskScore = mine.Count == 0 ? null : mine.Max(d => d.RiskScore),
                    Facts = mine.Count == 0 ? null : JsonSerializer.Serialize(mine.SelectMany(d => d.Facts).Distinct().ToList()),
                    EventRef = access.EventRef,
                });
            }
            return (found, index);
        }, ct);
        await PrivacyIndexWriter.WriteAsync(db, rows, ct);
        var outcome = await alerts.AddAsync(detections, ct);
        return new Outcome(accesses.Count, detections.Count, outcome.Created, outcome.Grouped);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
