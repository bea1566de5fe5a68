namespace Vigie.Server.WebConsole;

/// <summary>The time left on a regulatory clock, as people say it, in French or English.</summary>
internal static class ClockText
{
    /// <summary>"2 d 3 h left" / "2 j 3 h restants"; "overdue by 4 h 10 min" / "en retard de 4 h 10 min".</summary>
    public static string Describe(TimeSpan left, string language)
    {
        var t = left.Duration();
        var parts = new List<string>();
        if (t.Days > 0)
            parts.Add(language == ConsoleText.French ? $"{t.Days} j" : $"{t.Days} d");
        if (t.Hours > 0)
            parts.Add($"{t.Hours} h");
        if (t.Days == 0)
            parts.Add($"{t.Minutes} min");
        var text = string.Join(' ', parts);
        return (left >= TimeSpan.Zero, language == ConsoleText.French) switch
        {
            (true, true) => $"{text} restants",
            (true, false) => $"{text} left",
            (false, true) => $"en retard de {text}",
            (false, false) => $"overdue by {text}",
        };
    }
}
