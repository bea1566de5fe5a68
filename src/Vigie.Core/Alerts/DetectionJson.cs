using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigie.Sigma;

namespace Vigie.Core.Alerts;

/// <summary>
/// Detections as JSON lines, for replaying them into alerts (<c>vigie alerts import</c>): one object per line with
/// <c>rule_id</c>, <c>title</c> (or <c>rule_title</c>), <c>level</c>, <c>tags</c>, <c>timestamp</c>, optionally
/// <c>id</c>, <c>establishment</c> (a code) and <c>event</c> (the event's fields). <c>vigie sigma scan --output jsonl</c>
/// writes lines of this shape without the event. A line without an id is identified by its hash, so a file
/// imported twice makes no second alert.
/// </summary>
public static class DetectionJson
{
    public sealed record Line(IncomingDetection Detection, string? Establishment);

    /// <summary>Parses one line; throws <see cref="VigieException"/> naming the line number and what is wrong.</summary>
    public static Line Parse(string line, int number, string source = "import")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw VigieException.Invalid($"line {number}: not valid JSON ({e.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw VigieException.Invalid($"line {number}: a detection is a JSON object");
            var ruleId = Str(root, "rule_id") ?? throw VigieException.Invalid($"line {number}: 'rule_id' is missing");
            var title = Str(root, "title") ?? Str(root, "rule_title") ?? ruleId;
            var levelText = Str(root, "level");
            SigmaLevel level = SigmaLevel.None;
            if (levelText is not null && !TryLevel(levelText, out level))
                throw VigieException.Invalid($"line {number}: level '{levelText}' is unknown (informational, low, medium, high, critical)");
            var timeText = Str(root, "timestamp") ?? Str(root, "time");
            var time = JsonEventFields.ParseTime(timeText)
                ?? throw VigieException.Invalid($"line {number}: 'timestamp' is missing or not an ISO 8601 time");
            var tags = root.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            Dictionary<string, string> fields = [];
            string? eventJson = null;
            if (root.TryGetProperty("event", out var ev))
            {
                if (ev.ValueKind != JsonValueKind.Object)
                    throw VigieException.Invalid($"line {number}: 'event' must be a JSON object");
                fields = JsonEventFields.Flatten(ev);
                eventJson = ev.GetRawText();
            }
            var id = Str(root, "id") ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line.Trim())))[..32];
            return new Line(new IncomingDetection
            {
                Source = Str(root, "source") ?? source,
                Id = id,
                RuleId = ruleId,
                Title = title,
                Level = level,
                Tags = tags,
                Time = time,
                EventRef = Str(root, "event_ref") ?? Str(root, "record_id"),
                Fields = fields,
                EventJson = eventJson,
                RiskScore = root.TryGetProperty("risk_score", out var r) && r.TryGetInt32(out var risk) ? risk : null,
                Facts = root.TryGetProperty("facts", out var f) && f.ValueKind == JsonValueKind.Array
                    ? f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                    : [],
            }, Str(root, "establishment"));
        }
    }

    public static bool TryLevel(string text, out SigmaLevel level)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "informational" or "info":
                level = SigmaLevel.Informational;
                return true;
            case "low":
                level = SigmaLevel.Low;
                return true;
            case "medium":
                level = SigmaLevel.Medium;
                return true;
            case "high":
                level = SigmaLevel.High;
                return true;
            case "critical":
                level = SigmaLevel.Critical;
                return true;
            case "none" or "":
                level = SigmaLevel.None;
                return true;
            default:
                level = SigmaLevel.None;
                return false;
        }
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
