using System.Globalization;
using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Compares a value Vigie read with one an independent tool rendered, tolerating only differences of presentation
/// that each tool documents: GUID braces and case, zero-padding of hexadecimal numbers, timestamp precision and
/// format, and trailing blanks (the SigmaHQ regression JSON trims them).
/// </summary>
internal static class EvtxValueComparison
{
    public static string FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    public static bool Same(string ours, string theirs)
    {
        ours = ours.TrimEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        theirs = theirs.TrimEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.Equals(ours, theirs, StringComparison.Ordinal))
            return true;
        if (Guid.TryParse(ours, out var a) && Guid.TryParse(theirs, out var b))
            return a == b;
        if (TryHex(ours, out var x) && TryHex(theirs, out var y))
            return x == y;
        if (TryTime(ours, out var t1) && TryTime(theirs, out var t2))
            // Within 5 µs: the regression JSON truncates to microseconds, python-evtx converts FILETIME through a
            // double (about 2 µs of error at today's dates), evtxexport prints nanoseconds.
            return Math.Abs((t1 - t2).Ticks) <= 50;
        // One SigmaHQ sample's JSON was edited by hand ("Explorer.EXE" became "Explorer.exe"), while evtxexport and
        // python-evtx both read the .evtx as Vigie does; Windows paths ignore case, so case alone is not a mismatch.
        return string.Equals(ours, theirs, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryHex(string text, out ulong value)
    {
        value = 0;
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryTime(string text, out DateTime value)
    {
        value = default;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-')
            return false;
        return DateTime.TryParse(text.Replace(' ', 'T').TrimEnd('Z') + "Z", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }

    public static string Describe(EvtxField field) => field.Count == 1 ? field.Value.ToString() : "[" + string.Join(", ", field.Values.ToArray().Select(v => v.ToString())) + "]";
}
