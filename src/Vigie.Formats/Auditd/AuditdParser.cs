using System.Globalization;

namespace Vigie.Formats.Auditd;

/// <summary>Parses auditd log lines. Never throws on bad input.</summary>
public static class AuditdParser
{
    /// <summary>Whether a line looks like an audit record (<c>type=… msg=audit(</c>), alone or after a syslog header.</summary>
    public static bool LooksLikeAudit(ReadOnlySpan<char> line) =>
        line.IndexOf("type=", StringComparison.Ordinal) >= 0 && line.IndexOf("msg=audit(", StringComparison.Ordinal) >= 0;

    /// <summary>Parses one record; false with a reason when the line is not one.</summary>
    public static bool TryParse(string line, out AuditdRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        record = null;
        var start = line.IndexOf("type=", StringComparison.Ordinal);
        if (start < 0)
        {
            error = "no 'type=' field";
            return false;
        }
        var fields = new List<KeyValuePair<string, string>>();
        string? type = null;
        string? stamp = null;
        var pos = start;
        var s = line.AsSpan();
        while (pos < s.Length)
        {
            while (pos < s.Length && s[pos] == ' ')
                pos++;
            var eq = s[pos..].IndexOf('=');
            if (eq <= 0)
                break;
            var key = s.Slice(pos, eq).ToString();
            pos += eq + 1;
            string value;
            if (pos < s.Length && s[pos] == '"')
            {
                var close = s[(pos + 1)..].IndexOf('"');
                if (close < 0)
                {
                    value = s[(pos + 1)..].ToString();
                    pos = s.Length;
                }
                else
                {
                    value = s.Slice(pos + 1, close).ToString();
                    pos += close + 2;
                }
            }
            else if (pos < s.Length && s[pos] == '\'')
            {
                // msg='…' of user-space records holds nested key=value pairs.
                var close = s[(pos + 1)..].IndexOf('\'');
                var inner = close < 0 ? s[(pos + 1)..] : s.Slice(pos + 1, close);
                pos = close < 0 ? s.Length : pos + close + 2;
                value = inner.ToString();
            }
            else
            {
                var end = s[pos..].IndexOf(' ');
                value = (end < 0 ? s[pos..] : s.Slice(pos, end)).ToString();
                pos = end < 0 ? s.Length : pos + end;
            }
            if (key == "type" && type is null)
            {
                type = value;
                continue;
            }
            if (key == "msg" && stamp is null && value.StartsWith("audit(", StringComparison.Ordinal))
            {
                stamp = value.TrimEnd(':');
                continue;
            }
            fields.Add(new(key, value));
        }
        if (type is null || stamp is null)
        {
            error = type is null ? "no 'type=' field" : "no 'msg=audit(time:serial)' stamp";
            return false;
        }
        var inside = stamp.AsSpan(6).TrimEnd(')');
        var colon = inside.IndexOf(':');
        if (colon < 0 || !decimal.TryParse(inside[..colon], NumberStyles.Number, CultureInfo.InvariantCulture, out var seconds)
            || !long.TryParse(inside[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var serial))
        {
            error = $"audit stamp '{stamp}' is not audit(seconds.millis:serial)";
            return false;
        }
        record = new AuditdRecord
        {
            Type = type,
            Time = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)),
            Serial = serial,
            Stamp = stamp,
            Fields = fields,
        };
        error = null;
        return true;
    }
}
