using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Privacy;
using Vigie.Sigma;

namespace Vigie.Core.Alerts;

/// <summary>
/// Turns detections into alerts: a detection of the same rule, about the same entity, in the same
/// establishment as an open alert last seen within the grouping window joins it (its count goes up);
/// otherwise it opens a new alert. Severity comes from the rule's level, raised when the asset or patient is
/// sensitive; ATT&amp;CK techniques from the rule's tags. Suppressed and excepted detections make no alert.
/// </summary>
public sealed class AlertBuilder(VigieDbContext db, AlertTuning tuning, PatientPseudonyms pseudonyms, AlertOptions options, TimeProvider time)
{
    /// <summary>Detections kept per alert (for observables and investigation); the count goes on beyond.</summary>
    public const int MaxDetectionsPerAlert = 200;
    private const int MaxFacts = 30;

    public sealed record Outcome(int Created, int Grouped, int Suppressed, int Excepted, int Duplicates)
    {
        public IReadOnlyList<long> AlertIds { get; init; } = [];
    }

    /// <summary>Groups a batch of detections into alerts, in one transaction.</summary>
    public async Task<Outcome> AddAsync(IReadOnlyList<IncomingDetection> detections, CancellationToken ct = default)
    {
        if (detections.Count == 0)
            return new Outcome(0, 0, 0, 0, 0);
        var now = time.GetUtcNow().UtcDateTime;
        var tuningSnapshot = await tuning.SnapshotAsync(ct);

        // A detection fed twice (a replayed batch) is grouped once.
        var seen = new HashSet<(string, string)>();
        foreach (var bySource in detections.GroupBy(d => d.Source))
        {
            foreach (var chunk in bySource.Select(d => d.Id).Distinct().Chunk(500))
            {
                var ids = chunk.ToList();
                var source = bySource.Key;
                foreach (var id in await db.AlertDetections.Where(d => d.Source == source && ids.Contains(d.DetectionId)).Select(d => d.DetectionId).ToListAsync(ct))
                    seen.Add((source, id));
            }
        }

        var keyed = new List<(IncomingDetection Detection, string? Entity, string Key)>(detections.Count);
        foreach (var d in detections.OrderBy(d => d.Time))
        {
            var entity = AlertEntity.Of(d);
            keyed.Add((d, entity, GroupKey(d.RuleId, d.EstablishmentId, entity)));
        }
        var keys = keyed.Select(k => k.Key).Distinct().ToList();
        var open = new Dictionary<string, Alert>(StringComparer.Ordinal);
        foreach (var chunk in keys.Chunk(500))
        {
            var list = chunk.ToList();
            var candidates = await db.Alerts.Where(a => list.Contains(a.GroupKey) && a.Status != AlertStatus.Closed).ToListAsync(ct);
            foreach (var alert in candidates.OrderBy(a => a.LastSeen))
                open[alert.GroupKey] = alert; // the most recently seen one wins
        }

        int created = 0, grouped = 0, suppressed = 0, excepted = 0, duplicates = 0;
        var touched = new List<Alert>();
        foreach (var (d, entity, key) in keyed)
        {
            if (!seen.Add((d.Source, d.Id)))
            {
                duplicates++;
                continue;
            }
            if (tuningSnapshot.Suppressing(d, entity) is not null)
            {
                suppressed++;
                continue;
            }
            if (tuningSnapshot.Excepting(d) is not null)
            {
                excepted++;
                continue;
            }
            var sensitivity = AlertFields.Sensitivity(d);
            var severity = AlertSeverities.Of(d.Level, sensitivity.Count > 0);
            if (open.TryGetValue(key, out var alert) && d.Time - alert.LastSeen <= options.GroupWindow && alert.FirstSeen - d.Time <= options.GroupWindow)
            {
                alert.Count++;
                if (d.Time > alert.LastSeen)
                    alert.LastSeen = d.Time;
                if (d.Time < alert.FirstSeen)
                    alert.FirstSeen = d.Time;
                if (severity > alert.Severity)
                    alert.Severity = severity;
                alert.Sensitive |= sensitivity.Count > 0;
                alert.UpdatedAt = now;
                grouped++;
            }
            else
            {
                alert = new Alert
                {
                    RuleId = d.RuleId,
                    Title = Truncate(d.Title, 300),
                    RuleLevel = LevelName(d.Level),
                    Severity = severity,
                    Category = IsPrivacy(d) ? AlertCategory.Privacy : AlertCategory.Security,
                    EstablishmentId = d.EstablishmentId,
                    Entity = entity,
                    GroupKey = key,
                    Count = 1,
                    FirstSeen = d.Time,
                    LastSeen = d.Time,
                    Techniques = string.Join(',', AttackCatalog.TechniqueIds(d.Tags)),
                    Tags = Truncate(string.Join(',', d.Tags), 2000),
                    Sensitive = sensitivity.Count > 0,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                alert.History.Add(new AlertHistoryEntry
                {
                    Time = now,
                    Actor = "system",
                    Action = "created",
                    ToStatus = AlertStatus.New,
                    Text = $"from {d.Source} detection {d.Id}",
                });
                db.Alerts.Add(alert);
                open[key] = alert;
                touched.Add(alert);
                created++;
            }
            if (d.RiskScore is { } risk)
                alert.RiskScore = Math.Max(alert.RiskScore ?? 0, Math.Clamp(risk, 0, 100));
            var facts = d.Facts.Concat(sensitivity).ToList();
            if (facts.Count > 0)
                alert.Explanation = MergeFacts(alert.Explanation, facts);
            if (alert.Count <= MaxDetectionsPerAlert)
            {
                alert.Detections.Add(new AlertDetection
                {
                    Source = d.Source,
                    DetectionId = d.Id,
                    EventRef = d.EventRef,
                    Time = d.Time,
                    Fields = AlertFields.Keep(d, pseudonyms),
                    RiskScore = d.RiskScore,
                    Facts = d.Facts.Count == 0 ? null : JsonSerializer.Serialize(d.Facts),
                });
            }
            if (!touched.Contains(alert))
                touched.Add(alert);
        }
        await db.SaveChangesAsync(ct);
        return new Outcome(created, grouped, suppressed, excepted, duplicates) { AlertIds = touched.Select(a => a.Id).Distinct().ToList() };
    }

    public static string GroupKey(string ruleId, Guid? establishmentId, string? entity) =>
        $"{ruleId}|{establishmentId?.ToString("N") ?? "-"}|{entity ?? "-"}";

    public static bool IsPrivacy(IncomingDetection d) =>
        d.Field("event.dataset") == "vigie.records"
        || d.Tags.Any(t => t.StartsWith("vigie.privacy", StringComparison.OrdinalIgnoreCase));

    public static string LevelName(SigmaLevel level) => level switch
    {
        SigmaLevel.None => "none",
        SigmaLevel.Informational => "informational",
        SigmaLevel.Low => "low",
        SigmaLevel.Medium => "medium",
        SigmaLevel.High => "high",
        SigmaLevel.Critical => "critical",
        _ => "none",
    };

    private static string MergeFacts(string? existing, IEnumerable<string> more)
    {
        var list = existing is null ? [] : JsonSerializer.Deserialize<List<string>>(existing) ?? [];
        foreach (var fact in more)
        {
            if (list.Count >= MaxFacts)
                break;
            if (!list.Contains(fact))
                list.Add(fact);
        }
        return JsonSerializer.Serialize(list);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
