using System.Collections.Concurrent;
using System.Globalization;

namespace Vigie.Core.Time;

/// <summary>
/// Shows UTC instants in an IANA time zone from the system's tz database, so that rule changes
/// (Morocco suspends its +01:00 offset during Ramadan) are followed without a fixed offset.
/// </summary>
public static class LocalTime
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.Ordinal);

    public static TimeZoneInfo? FindZone(string id) =>
        Zones.GetOrAdd(id, static z =>
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(z);
            }
            catch (TimeZoneNotFoundException)
            {
                return null;
            }
            catch (InvalidTimeZoneException)
            {
                return null;
            }
        });

    public static DateTimeOffset ToZone(DateTime utc, string zoneId)
    {
        var zone = FindZone(zoneId) ?? TimeZoneInfo.Utc;
        var instant = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(instant), zone);
    }

    /// <summary>ISO 8601 with the zone's offset at that instant, e.g. <c>2026-03-01T10:00:00+00:00</c> during Ramadan.</summary>
    public static string Format(DateTime utc, string zoneId) =>
        ToZone(utc, zoneId).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>For people: <c>22/11/2026 08:24</c> (French) or <c>22 Nov 2026 08:24</c> (English), in the zone.</summary>
    public static string Display(DateTime utc, string zoneId, string language)
    {
        var local = ToZone(utc, zoneId);
        return language == "en"
            ? local.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);
    }
}
