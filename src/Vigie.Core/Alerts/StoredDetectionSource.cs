using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;

namespace Vigie.Core.Alerts;

/// <summary>
/// The detections that detection on the stream stored (table <c>detections</c>), with the fields of the event
/// each one matched read from the event store. Detections of privacy rules (tag <c>vigie.privacy</c>) are left to
/// privacy monitoring, which scores and explains them.
/// </summary>
public sealed class StoredDetectionSource(VigieDbContext db, IEventStore events) : IDetectionSource
{
    public const string SourceName = "sigma";

    public string Name => SourceName;

    public async Task<DetectionBatch> ReadAfterAsync(long after, int limit, CancellationToken ct)
    {
        var rows = await db.Detections.AsNoTracking().Where(d => d.Id > after).OrderBy(d => d.Id).Take(limit).ToListAsync(ct);
        if (rows.Count == 0)
            return new DetectionBatch([], after);
        var documents = new Dictionary<long, StoredEvent?>();
        var result = new List<IncomingDetection>(rows.Count);
        foreach (var row in rows)
        {
            var tags = row.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tags.Any(t => t.StartsWith("vigie.privacy", StringComparison.OrdinalIgnoreCase)))
                continue;
            StoredEvent? stored = null;
            if (row.EventId is { } eventId && !documents.TryGetValue(eventId, out stored))
                documents[eventId] = stored = await events.FindAsync(eventId, ct);
            var fields = stored is null ? new Dictionary<string, string>() : Flatten(stored.Json);
            // A correlation's group-by values (user.name=alice; source.ip=…) name the entity it is about.
            foreach (var pair in (row.GroupValues ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                    fields[pair[..eq]] = pair[(eq + 1)..];
            }
            DetectionJson.TryLevel(row.Level, out var level);
            result.Add(new IncomingDetection
            {
                Source = SourceName,
                Id = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                RuleId = row.RuleId,
                Title = row.RuleTitle,
                Level = level,
                Tags = tags,
                EstablishmentId = row.EstablishmentId,
                Time = row.EventTime,
                EventRef = row.EventId is { } id ? $"event:{id}" : null,
                Fields = fields,
                EventJson = stored?.Json,
            });
        }
        return new DetectionBatch(result, rows[^1].Id);
    }

    private static Dictionary<string, string> Flatten(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return JsonEventFields.Flatten(doc.RootElement);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }
}
