using System.Text;

namespace Vigie.Formats.Cef;

/// <summary>Parses CEF records, alone or as the message of a syslog line. Never throws on bad input.</summary>
public static class CefParser
{
    /// <summary>Where the CEF record of <paramref name="text"/> starts (<c>CEF:</c> at its start or after a syslog header); -1 when none.</summary>
    public static int IndexOfCef(ReadOnlySpan<char> text)
    {
        var i = text.IndexOf("CEF:", StringComparison.Ordinal);
        return i >= 0 && i + 5 < text.Length && char.IsAsciiDigit(text[i + 4]) ? i : -1;
    }

    /// <summary>Parses the CEF record starting at <c>CEF:</c> in <paramref name="text"/>; false with a reason when it is malformed.</summary>
    public static bool TryParse(string text, out CefMessage? message, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        message = null;
        var start = IndexOfCef(text);
        if (start < 0)
        {
            error = "no 'CEF:' header";
            return false;
        }
        var pos = start + 4;
        var header = new string[7];
        var sb = new StringBuilder();
        for (var field = 0; field < 7; field++)
        {
            sb.Clear();
            var closed = false;
            while (pos < text.Length)
            {
                var c = text[pos];
                if (c == '\\' && pos + 1 < text.Length && text[pos + 1] is '|' or '\\')
                {
                    sb.Append(text[pos + 1]);
                    pos += 2;
                    continue;
                }
                pos++;
                if (c == '|')
                {
                    closed = true;
                    break;
                }
                sb.Append(c);
            }
            if (!closed)
            {
                error = $"CEF header has {field + 1} of its 7 '|'-separated fields";
                return false;
            }
            header[field] = sb.ToString();
        }
        var extensions = ParseExtensions(text.AsSpan(pos));
        message = new CefMessage
        {
            Version = header[0],
            DeviceVendor = header[1],
            DeviceProduct = header[2],
            DeviceVersion = header[3],
            SignatureId = header[4],
            Name = header[5],
            Severity = header[6],
            Extensions = extensions,
        };
        error = null;
        return true;
    }

    /// <summary>
    /// <c>key=value key2=value with spaces</c>: a key is the word before an unescaped '='; its value runs to the
    /// space before the next key. <c>\=</c>, <c>\\</c>, <c>\n</c>, <c>\r</c> are unescaped.
    /// </summary>
    private static List<KeyValuePair<string, string>> ParseExtensions(ReadOnlySpan<char> s)
    {
        var result = new List<KeyValuePair<string, string>>();
        // Positions of unescaped '=' that follow a key word.
        var equals = new List<(int KeyStart, int Eq)>();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
                continue;
            }
            if (s[i] != '=')
                continue;
            var k = i;
            while (k > 0 && IsKeyChar(s[k - 1]))
                k--;
            if (k < i && (k == 0 || s[k - 1] == ' '))
                equals.Add((k, i));
        }
        for (var n = 0; n < equals.Count; n++)
        {
            var (keyStart, eq) = equals[n];
            var valueEnd = n + 1 < equals.Count ? equals[n + 1].KeyStart : s.Length;
            var value = s[(eq + 1)..valueEnd];
            if (n + 1 < equals.Count)
                value = value.TrimEnd(' ');
            result.Add(new(s[keyStart..eq].ToString(), Unescape(value.TrimEnd())));
        }
        return result;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '[' or ']';

    private static string Unescape(ReadOnlySpan<char> value)
    {
        if (value.IndexOf('\\') < 0)
            return value.ToString();
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length)
            {
                var next = value[++i];
                sb.Append(next switch { 'n' => '\n', 'r' => '\r', _ => next });
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
