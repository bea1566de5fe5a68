using System.Globalization;

namespace Vigie.Formats.Fhir;

/// <summary>
/// A FHIR date, dateTime or instant, possibly partial (<c>2019</c>, <c>2019-05</c>), as the UTC range it covers:
/// <c>2019-05</c> is every instant of May 2019. Search compares these ranges.
/// </summary>
/// <param name="Low">The first instant covered (UTC).</param>
/// <param name="High">The first instant after the range (UTC, exclusive).</param>
/// <param name="Precision">How many components were given: 1 year, 2 month, 3 day, 4 time.</param>
public readonly record struct FhirDate(DateTime Low, DateTime High, int Precision)
{
    /// <summary>Parses a FHIR date or dateTime; date-only values are taken as UTC days.</summary>
    public static bool TryParse(string? text, out FhirDate date)
    {
        date = default;
        if (string.IsNullOrEmpty(text) || text.Length < 4)
            return false;
        var s = text.AsSpan();
        if (!TryDigits(s, 0, 4, out var year) || year < 1)
            return false;
        if (s.Length == 4)
        {
            var y = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            date = new FhirDate(y, year == 9999 ? DateTime.MaxValue : y.AddYears(1), 1);
            return true;
        }
        if (s[4] != '-' || s.Length < 7 || !TryDigits(s, 5, 2, out var month) || month is < 1 or > 12)
            return false;
        if (s.Length == 7)
        {
            var m = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
            date = new FhirDate(m, m.AddMonths(1), 2);
            return true;
        }
        if (s[7] != '-' || s.Length < 10 || !TryDigits(s, 8, 2, out var day) || day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        if (s.Length == 10)
        {
            var d = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
            date = new FhirDate(d, d.AddDays(1), 3);
            return true;
        }
        if (s[10] != 'T' || !IsTimeWithZone(s[11..]))
            return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return false;
        var utc = instant.UtcDateTime;
        date = new FhirDate(utc, utc.AddTicks(1), 4);
        return true;
    }

    /// <summary>True when <paramref name="text"/> is a full instant (date, time and zone).</summary>
    public static bool IsInstant(string text) => TryParse(text, out var d) && d.Precision == 4;

    /// <summary>True when <paramref name="s"/> is a FHIR time (<c>hh:mm:ss</c> with optional fraction).</summary>
    public static bool IsTime(ReadOnlySpan<char> s)
    {
        if (s.Length < 8 || s[2] != ':' || s[5] != ':')
            return false;
        if (!TryDigits(s, 0, 2, out var h) || h > 23 || !TryDigits(s, 3, 2, out var m) || m > 59 || !TryDigits(s, 6, 2, out var sec) || sec > 60)
            return false;
        if (s.Length == 8)
            return true;
        if (s[8] != '.' || s.Length == 9)
            return false;
        foreach (var c in s[9..])
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }

    private static bool IsTimeWithZone(ReadOnlySpan<char> s)
    {
        int zone;
        if (s.Length > 0 && s[^1] == 'Z')
            zone = s.Length - 1;
        else if (s.Length >= 6 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':')
            zone = s.Length - 6;
        else
            return false;
        if (!IsTime(s[..zone]))
            return false;
        if (s[zone] == 'Z')
            return true;
        return TryDigits(s, zone + 1, 2, out var zh) && TryDigits(s, zone + 4, 2, out var zm) && zm <= 59 && (zh < 14 || (zh == 14 && zm == 0));
    }

    private static bool TryDigits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (s.Length < start + count)
            return false;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
                return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }
}
