using System.Globalization;
using Vigie.Core.Ingestion;

namespace Vigie.Core.Events.Query;

/// <summary>Times in searches: ISO dates (a whole day), ISO times, and <c>now</c>, <c>now-15m</c>, <c>now-24h</c>, <c>now-7d</c>.</summary>
public static class QueryTime
{
    /// <summary>ISO dates and times, and <c>now</c>, <c>now-15m</c>, <c>now-24h</c>, <c>now-7d</c>.</summary>
    public static bool TryParse(string text, out DateTime time, out bool wholeDay)
    {
        wholeDay = false;
        time = default;
        if (text.StartsWith("now", StringComparison.OrdinalIgnoreCase))
        {
            var now = DateTime.UtcNow;
            var rest = text.AsSpan(3);
            if (rest.Length == 0)
            {
                time = now;
                return true;
            }
            if (rest.Length < 3 || (rest[0] != '-' && rest[0] != '+') || !int.TryParse(rest[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
                return false;
            var sign = rest[0] == '-' ? -1 : 1;
            TimeSpan? unit = char.ToLowerInvariant(rest[^1]) switch { 's' => TimeSpan.FromSeconds(1), 'm' => TimeSpan.FromMinutes(1), 'h' => TimeSpan.FromHours(1), 'd' => TimeSpan.FromDays(1), 'w' => TimeSpan.FromDays(7), _ => null };
            if (unit is null || amount > 100_000)
                return false;
            time = now + sign * amount * unit.Value;
            return true;
        }
        if (text.Length == 10 && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            wholeDay = true;
            return true;
        }
        if (EventTime.TryParse(text, out var offset))
        {
            time = offset.UtcDateTime;
            return true;
        }
        return false;
    }
}
