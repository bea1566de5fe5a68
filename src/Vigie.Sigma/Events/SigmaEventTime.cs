using System.Globalization;
using Vigie.Sigma.Evaluation;

namespace Vigie.Sigma.Events;

/// <summary>Reads an event's time and record id from the fields that carry them in the formats Vigie sees.</summary>
public static class SigmaEventTime
{
    /// <summary>
    /// The fields tried for the event time, in order: ECS <c>@timestamp</c>, EVTX <c>SystemTime</c> (System/TimeCreated),
    /// flat <c>TimeCreated</c>, Sysmon <c>UtcTime</c>, then common names of other sources.
    /// </summary>
    public static IReadOnlyList<string> DefaultTimeFields { get; } =
        ["@timestamp", "SystemTime", "TimeCreated", "UtcTime", "timestamp", "eventTime", "EventTime", "time", "TimeGenerated"];

    /// <summary>The fields tried for the record id.</summary>
    public static IReadOnlyList<string> DefaultRecordIdFields { get; } = ["EventRecordID", "winlog.record_id", "event.sequence", "RecordNumber"];

    /// <summary>The first of <paramref name="fields"/> (default <see cref="DefaultTimeFields"/>) that holds a date; UTC when the text has no zone.</summary>
    public static bool TryGetTime(ISigmaEvent e, out DateTimeOffset time, IReadOnlyList<string>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        foreach (var field in fields ?? DefaultTimeFields)
        {
            if (!e.TryGetField(field, out var value))
                continue;
            if (value.Kind == SigmaValueKind.String && value.Text is { } text && NumericMatcher.TryParseDate(text, out time))
                return true;
            if (value.Kind == SigmaValueKind.Number && value.Number > 0)
            {
                // Epoch seconds or milliseconds.
                time = value.Number > 1e11 ? DateTimeOffset.FromUnixTimeMilliseconds((long)value.Number) : DateTimeOffset.FromUnixTimeSeconds((long)value.Number);
                return true;
            }
        }
        time = default;
        return false;
    }

    /// <summary>The record id, as text, when the event carries one.</summary>
    public static string? GetRecordId(ISigmaEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        foreach (var field in DefaultRecordIdFields)
        {
            if (e.TryGetField(field, out var value) && value.Text is { Length: > 0 } text)
                return text;
        }
        return null;
    }

    /// <summary>Formats a time as ISO 8601 UTC with milliseconds.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
