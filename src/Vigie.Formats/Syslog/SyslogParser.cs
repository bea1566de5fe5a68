using System.Text;
using System.Text.Unicode;

namespace Vigie.Formats.Syslog;

/// <summary>
/// Parses one syslog message (RFC 5424, RFC 3164 and the variants seen in practice) from its bytes, the way
/// rsyslog's <c>pmrfc5424</c> and <c>pmrfc3164</c> parsers do. Never throws: text without a recognisable
/// header becomes a message of format <see cref="SyslogFormat.Unknown"/> holding the whole text.
/// </summary>
/// <remarks>
/// Works on the UTF-8 bytes and allocates only the strings of the fields it returns: the parser runs once per
/// received message, at several hundred thousand messages a second.
/// </remarks>
public static class SyslogParser
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Parses <paramref name="data"/>, a single message without its framing.</summary>
    /// <param name="data">The message's bytes (UTF-8 expected; invalid sequences become U+FFFD and are flagged).</param>
    /// <param name="received">When it arrived: picks the year of RFC 3164 stamps, which have none.</param>
    /// <param name="assumedOffset">The UTC offset assumed for RFC 3164 stamps, which carry no zone.</param>
    public static SyslogMessage Parse(ReadOnlySpan<byte> data, DateTimeOffset received, TimeSpan assumedOffset = default)
    {
        var invalid = !Utf8.IsValid(data);
        var pos = 0;
        var priority = SyslogMessage.DefaultPriority;
        var hasPriority = false;
        if (data.Length >= 3 && data[0] == '<')
        {
            var value = 0;
            var i = 1;
            while (i < data.Length && i <= 4 && IsDigit(data[i]))
                value = value * 10 + (data[i++] - '0');
            if (i > 1 && i < data.Length && data[i] == '>' && value <= 191)
            {
                priority = value;
                hasPriority = true;
                pos = i + 1;
            }
        }
        if (hasPriority && data.Length >= pos + 2 && data[pos] == '1' && data[pos + 1] == ' ')
        {
            var parsed = TryParse5424(data, pos + 2, priority, invalid);
            if (parsed is not null)
                return parsed;
        }
        return Parse3164(data, pos, priority, hasPriority, invalid, received, assumedOffset);
    }

    private static SyslogMessage? TryParse5424(ReadOnlySpan<byte> data, int pos, int priority, bool invalid)
    {
        DateTimeOffset? timestamp = null;
        if (pos < data.Length && data[pos] == '-')
        {
            pos++;
        }
        else
        {
            if (!TryParseRfc3339(data[pos..], out var ts, out var used))
                return null;
            timestamp = ts;
            pos += used;
        }
        if (!Space(data, ref pos))
            return null;
        var hostname = NilOrToken(data, ref pos);
        if (!Space(data, ref pos))
            return null;
        var app = NilOrToken(data, ref pos);
        if (!Space(data, ref pos))
            return null;
        var procId = NilOrToken(data, ref pos);
        if (!Space(data, ref pos))
            return null;
        var msgId = NilOrToken(data, ref pos);
        if (!Space(data, ref pos))
            return null;
        IReadOnlyList<SyslogStructuredElement> sd = [];
        if (pos < data.Length && data[pos] == '-')
        {
            pos++;
        }
        else if (pos < data.Length && data[pos] == '[')
        {
            var elements = new List<SyslogStructuredElement>();
            if (!TryParseStructuredData(data, ref pos, elements))
                return null;
            sd = elements;
        }
        else
        {
            return null;
        }
        var message = "";
        var bom = false;
        if (pos < data.Length && data[pos] == ' ')
        {
            var rest = data[(pos + 1)..];
            if (rest.StartsWith(Bom))
            {
                bom = true;
                rest = rest[3..];
            }
            message = Text(rest);
        }
        var tag = app is null ? "" : procId is null ? app : $"{app}[{procId}]";
        return new SyslogMessage
        {
            Format = SyslogFormat.Rfc5424,
            Priority = priority,
            HasPriority = true,
            Timestamp = timestamp,
            Hostname = hostname,
            AppName = app,
            ProcId = procId,
            MsgId = msgId,
            Tag = tag,
            ProgramName = app ?? "",
            StructuredData = sd,
            Message = message,
            InvalidUtf8 = invalid,
            HadBom = bom,
        };
    }

    private static SyslogMessage Parse3164(ReadOnlySpan<byte> data, int pos, int priority, bool hasPriority, bool invalid,
        DateTimeOffset received, TimeSpan offset)
    {
        // Some senders put a space after the PRI; rsyslog accepts it, and so does Vigie.
        while (pos < data.Length && data[pos] == ' ')
            pos++;
        DateTimeOffset? timestamp = null;
        if (TryParseRfc3339(data[pos..], out var ts, out var used) && (pos + used == data.Length || data[pos + used] == ' '))
        {
            timestamp = ts;
            pos += used;
            if (pos < data.Length)
                pos++;
        }
        else if (TryParseBsdTimestamp(data[pos..], received, offset, out ts, out used))
        {
            timestamp = ts;
            pos += used;
            if (pos < data.Length)
                pos++;
        }

        // The first token is the host when it looks like one (letters, digits, '.', '-', '_', ending alphanumeric).
        string? hostname = null;
        var end = pos;
        var valid = true;
        while (end < data.Length && data[end] != ' ')
        {
            var c = data[end];
            if (!(IsAsciiAlphanumeric(c) || c is (byte)'.' or (byte)'-' or (byte)'_'))
                valid = false;
            end++;
        }
        if (valid && end > pos && IsAsciiAlphanumeric(data[end - 1]))
        {
            hostname = Encoding.ASCII.GetString(data[pos..end]);
            pos = end;
            if (pos < data.Length)
                pos++;
        }

        // The tag ends with a colon (part of it) or a space (not part of it); the rest is the message.
        var tagEnd = pos;
        while (tagEnd < data.Length && data[tagEnd] != ' ' && data[tagEnd] != ':')
            tagEnd++;
        if (tagEnd < data.Length && data[tagEnd] == ':')
            tagEnd++;
        var tagBytes = data[pos..tagEnd];
        var tag = Text(tagBytes);
        var program = tag;
        string? procId = null;
        var programEnd = tagBytes.IndexOfAny((byte)'[', (byte)':', (byte)'/');
        if (programEnd >= 0)
        {
            program = Text(tagBytes[..programEnd]);
            if (tagBytes[programEnd] == '[')
            {
                var close = tagBytes[programEnd..].IndexOf((byte)']');
                if (close > 1)
                    procId = Text(tagBytes.Slice(programEnd + 1, close - 1));
            }
        }
        return new SyslogMessage
        {
            Format = hasPriority || timestamp is not null ? SyslogFormat.Rfc3164 : SyslogFormat.Unknown,
            Priority = priority,
            HasPriority = hasPriority,
            Timestamp = timestamp,
            Hostname = hostname,
            ProcId = procId,
            Tag = tag,
            ProgramName = program,
            Message = Text(data[tagEnd..]),
            InvalidUtf8 = invalid,
        };
    }

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>
    /// <c>Mmm dd hh:mm:ss</c> with the variants rsyslog accepts: a one- or two-digit day, any case of month,
    /// a year before the time (<c>Mar 7 2008 19:06:53</c>), a colon after the seconds.
    /// </summary>
    private static bool TryParseBsdTimestamp(ReadOnlySpan<byte> s, DateTimeOffset received, TimeSpan offset, out DateTimeOffset time, out int used)
    {
        time = default;
        used = 0;
        if (s.Length < 14)
            return false;
        var month = -1;
        for (var m = 0; m < 12; m++)
        {
            var name = Months[m];
            if ((s[0] | 0x20) == name[0] && (s[1] | 0x20) == name[1] && (s[2] | 0x20) == name[2])
            {
                month = m + 1;
                break;
            }
        }
        if (month < 0 || s[3] != ' ')
            return false;
        var p = 4;
        if (s[p] == ' ')
            p++;
        if (!ReadNumber(s, ref p, 1, 2, out var day) || p >= s.Length || s[p] != ' ')
            return false;
        p++;
        var year = -1;
        if (p + 5 <= s.Length && IsDigit(s[p]) && IsDigit(s[p + 1]) && IsDigit(s[p + 2]) && IsDigit(s[p + 3]) && s[p + 4] == ' ')
        {
            year = (s[p] - '0') * 1000 + (s[p + 1] - '0') * 100 + (s[p + 2] - '0') * 10 + (s[p + 3] - '0');
            p += 5;
        }
        if (!ReadNumber(s, ref p, 2, 2, out var hour) || p >= s.Length || s[p++] != ':'
            || !ReadNumber(s, ref p, 2, 2, out var minute) || p >= s.Length || s[p++] != ':'
            || !ReadNumber(s, ref p, 2, 2, out var second))
            return false;
        if (p < s.Length && s[p] == ':')
            p++;
        if (p < s.Length && s[p] != ' ')
            return false;
        if (hour > 23 || minute > 59 || second > 60 || day < 1)
            return false;
        second = Math.Min(second, 59);
        if (year < 0)
        {
            // No year: the one that puts the stamp at or before the reception (a day of clock skew allowed).
            var local = received.ToOffset(offset);
            year = local.Year;
            if (!TryCreate(year, month, day, hour, minute, second, 0, offset, out time))
            {
                if (!TryCreate(year - 1, month, day, hour, minute, second, 0, offset, out time))
                    return false;
            }
            else if (time > local.AddDays(1) && !TryCreate(year - 1, month, day, hour, minute, second, 0, offset, out time))
            {
                return false;
            }
        }
        else if (!TryCreate(year, month, day, hour, minute, second, 0, offset, out time))
        {
            return false;
        }
        used = p;
        return true;
    }

    /// <summary>RFC 3339 as RFC 5424 restricts it: <c>2003-08-24T05:14:15.000003-07:00</c>, <c>…Z</c>.</summary>
    private static bool TryParseRfc3339(ReadOnlySpan<byte> s, out DateTimeOffset time, out int used)
    {
        time = default;
        used = 0;
        var p = 0;
        if (!ReadNumber(s, ref p, 4, 4, out var year) || p >= s.Length || s[p++] != '-'
            || !ReadNumber(s, ref p, 2, 2, out var month) || p >= s.Length || s[p++] != '-'
            || !ReadNumber(s, ref p, 2, 2, out var day) || p >= s.Length || (s[p] | 0x20) != 't')
            return false;
        p++;
        if (!ReadNumber(s, ref p, 2, 2, out var hour) || p >= s.Length || s[p++] != ':'
            || !ReadNumber(s, ref p, 2, 2, out var minute) || p >= s.Length || s[p++] != ':'
            || !ReadNumber(s, ref p, 2, 2, out var second))
            return false;
        long ticks = 0;
        if (p < s.Length && s[p] == '.')
        {
            p++;
            var digits = 0;
            while (p < s.Length && IsDigit(s[p]))
            {
                if (digits < 7)
                    ticks = ticks * 10 + (s[p] - '0');
                digits++;
                p++;
            }
            if (digits == 0)
                return false;
            for (var d = digits; d < 7; d++)
                ticks *= 10;
        }
        if (p >= s.Length)
            return false;
        TimeSpan offset;
        if ((s[p] | 0x20) == 'z')
        {
            offset = TimeSpan.Zero;
            p++;
        }
        else if (s[p] is (byte)'+' or (byte)'-')
        {
            var sign = s[p++] == '-' ? -1 : 1;
            if (!ReadNumber(s, ref p, 2, 2, out var oh) || p >= s.Length || s[p++] != ':' || !ReadNumber(s, ref p, 2, 2, out var om) || oh > 23 || om > 59)
                return false;
            offset = sign * new TimeSpan(oh, om, 0);
        }
        else
        {
            return false;
        }
        if (hour > 23 || minute > 59 || second > 60)
            return false;
        if (!TryCreate(year, month, day, hour, minute, Math.Min(second, 59), ticks, offset, out time))
            return false;
        used = p;
        return true;
    }

    private static bool TryCreate(int year, int month, int day, int hour, int minute, int second, long ticks, TimeSpan offset, out DateTimeOffset time)
    {
        time = default;
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        try
        {
            time = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryParseStructuredData(ReadOnlySpan<byte> data, ref int pos, List<SyslogStructuredElement> elements)
    {
        var value = new StringBuilder();
        while (pos < data.Length && data[pos] == '[')
        {
            pos++;
            var idStart = pos;
            while (pos < data.Length && data[pos] != ' ' && data[pos] != ']')
                pos++;
            if (pos >= data.Length || pos == idStart)
                return false;
            var id = Text(data[idStart..pos]);
            var parameters = new List<KeyValuePair<string, string>>();
            while (true)
            {
                while (pos < data.Length && data[pos] == ' ')
                    pos++;
                if (pos >= data.Length)
                    return false;
                if (data[pos] == ']')
                {
                    pos++;
                    break;
                }
                var nameStart = pos;
                while (pos < data.Length && data[pos] != '=' && data[pos] != ' ' && data[pos] != ']')
                    pos++;
                var name = Text(data[nameStart..pos]);
                // Lenient like rsyslog: spaces around '=' are tolerated.
                while (pos < data.Length && data[pos] == ' ')
                    pos++;
                if (pos >= data.Length || data[pos] != '=' || name.Length == 0)
                    return false;
                pos++;
                while (pos < data.Length && data[pos] == ' ')
                    pos++;
                if (pos >= data.Length || data[pos] != '"')
                    return false;
                pos++;
                value.Clear();
                var start = pos;
                var closed = false;
                while (pos < data.Length)
                {
                    var c = data[pos];
                    if (c == '\\' && pos + 1 < data.Length && data[pos + 1] is (byte)'"' or (byte)'\\' or (byte)']')
                    {
                        value.Append(Text(data[start..pos]));
                        pos++;
                        start = pos;
                        pos++;
                        continue;
                    }
                    if (c == '"')
                    {
                        value.Append(Text(data[start..pos]));
                        pos++;
                        closed = true;
                        break;
                    }
                    pos++;
                }
                if (!closed)
                    return false;
                parameters.Add(new(name, value.ToString()));
            }
            elements.Add(new SyslogStructuredElement(id, parameters));
        }
        return true;
    }

    private static string? NilOrToken(ReadOnlySpan<byte> data, ref int pos)
    {
        var start = pos;
        while (pos < data.Length && data[pos] != ' ')
            pos++;
        var token = data[start..pos];
        return token.Length == 0 || (token.Length == 1 && token[0] == '-') ? null : Text(token);
    }

    private static bool Space(ReadOnlySpan<byte> data, ref int pos)
    {
        if (pos < data.Length && data[pos] == ' ')
        {
            pos++;
            return true;
        }
        return false;
    }

    private static bool ReadNumber(ReadOnlySpan<byte> s, ref int p, int min, int max, out int value)
    {
        value = 0;
        var start = p;
        while (p < s.Length && p - start < max && IsDigit(s[p]))
            value = value * 10 + (s[p++] - '0');
        return p - start >= min;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static bool IsAsciiAlphanumeric(byte c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    private static string Text(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes);
}
