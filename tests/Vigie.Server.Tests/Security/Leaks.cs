using System.Net;

namespace Vigie.Server.Tests.Security;

/// <summary>Reads a response and says whether anything of another establishment is in it.</summary>
public static class Leaks
{
    /// <summary>
    /// The first of <paramref name="foreign"/>'s markers (case-insensitive) found in <paramref name="body"/> once the strings
    /// the request itself sent (<paramref name="echoes"/>, e.g. a username in "user 'x' does not exist") are taken out,
    /// shown in its context; null when there is none.
    /// </summary>
    public static string? Find(string body, SecurityWorld.Side foreign, params string[] echoes)
    {
        var text = body;
        foreach (var echo in echoes.Where(e => e.Length > 0).OrderByDescending(e => e.Length))
            text = text.Replace(echo, "", StringComparison.OrdinalIgnoreCase);
        foreach (var marker in foreign.Markers.Where(m => m.Length > 0))
        {
            var at = text.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
                return $"'{marker}' of {foreign.Code} in …{text[Math.Max(0, at - 300)..Math.Min(text.Length, at + 200)]}…";
        }
        return null;
    }

    /// <summary>Fails when <paramref name="body"/> carries anything of <paramref name="foreign"/> (see <see cref="Find"/>).</summary>
    public static void ShouldHoldNothingOf(this string body, SecurityWorld.Side foreign, string what, params string[] echoes)
    {
        var found = Find(body, foreign, echoes);
        found.ShouldBeNull($"{what}: the response carries {found}");
    }

    /// <summary>Adds to <paramref name="failures"/> when <paramref name="body"/> carries anything of <paramref name="foreign"/>.</summary>
    public static void Check(this List<string> failures, string body, SecurityWorld.Side foreign, string what, params string[] echoes)
    {
        if (Find(body, foreign, echoes) is { } found)
            failures.Add($"{what}: the response carries {found}");
    }

    public static async Task<(HttpStatusCode Status, string Body)> ReadAllAsync(this HttpResponseMessage response)
    {
        using (response)
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string Cut(string text) => text.Length <= 1500 ? text : text[..1500] + "…";
}

/// <summary>Collected failures, reported one a line.</summary>
public static class Failures
{
    public static void ShouldBeNone(this List<string> failures) =>
        (failures.Count == 0).ShouldBeTrue($"{failures.Count} failure(s):\n" + string.Join("\n", failures.Select(f => "- " + f)));
}
