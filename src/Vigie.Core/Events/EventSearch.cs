using Vigie.Core.Establishments;
using Vigie.Core.Events.Query;

namespace Vigie.Core.Events;

/// <summary>What to search: a query tree, a time window, the caller's scope, a page size and where the last page ended.</summary>
public sealed record EventSearch(QueryNode? Query, DateTime? From, DateTime? To, AccessScope Scope, int Limit = 100, EventCursor? Cursor = null);

/// <summary>The position after the last event of a page (newest first: time, then id).</summary>
public sealed record EventCursor(DateTime Timestamp, long Id)
{
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
        $"{Timestamp.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static EventCursor Decode(string text)
    {
        try
        {
            var b64 = text.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split(':');
            return new EventCursor(new DateTime(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc),
                long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw VigieException.Invalid("cursor is not one this API returned");
        }
    }
}

/// <summary>One page of results, newest first. <see cref="Total"/> stops counting at <see cref="TotalLimit"/> (then <see cref="TotalExact"/> is false).</summary>
public sealed record EventPage(long Total, bool TotalExact, IReadOnlyList<StoredEvent> Events, EventCursor? Next)
{
    public const int TotalLimit = 100_000;
}

/// <summary>How many events fell in the bucket starting at <see cref="Start"/>.</summary>
public sealed record HistogramBucket(DateTime Start, long Count);
