namespace Vigie.Core.Incidents;

/// <summary>
/// Traffic Light Protocol 2.0 (FIRST): how far the incident's information may be shared, and the Permissible
/// Actions Protocol: what recipients may do with it (PAP:CLEAR any action … PAP:RED passive only).
/// </summary>
public static class SharingMarkings
{
    public static IReadOnlyList<string> Tlp { get; } = ["clear", "green", "amber", "amber+strict", "red"];

    public static IReadOnlyList<string> Pap { get; } = ["clear", "green", "amber", "red"];

    /// <summary>The TLP label normalised (<c>TLP:AMBER+STRICT</c> → <c>amber+strict</c>; TLP 1.0's <c>white</c> → <c>clear</c>), or null.</summary>
    public static string? ParseTlp(string? text)
    {
        var t = Strip(text, "tlp:");
        if (t == "white")
            return "clear";
        return Tlp.Contains(t) ? t : null;
    }

    public static string? ParsePap(string? text)
    {
        var t = Strip(text, "pap:");
        if (t == "white")
            return "clear";
        return Pap.Contains(t) ? t : null;
    }

    public static string Label(string prefix, string value) => $"{prefix}:{value.ToUpperInvariant()}";

    private static string Strip(string? text, string prefix)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        return t.StartsWith(prefix, StringComparison.Ordinal) ? t[prefix.Length..] : t;
    }
}
