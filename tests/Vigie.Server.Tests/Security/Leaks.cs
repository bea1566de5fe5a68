using System.Net;

namespace Vigie.Server.Tests.Security;

/// <summary>Reads a response and says whether anything of another establishment is in it.</summary>
public static class Leaks
{
    /// <summary>
    /// Fails when <paramref name="body"/> holds any of <paramref name="foreign"/>'s markers (case-insensitive) once the
    /// strings the request itself sent (<paramref name="echoes"/>, e.g. a username in "user 'x' does not exist") are taken out.
    /// </summary>
    public static void ShouldHoldNothingOf(this string body, SecurityWorld.Side foreign, string what, params string[] echoes)
    {
        var text = body;
        foreach (var echo in echoes.Where(e => e.Length > 0).OrderByDescending(e => e.Length))
            text = text.Replace(echo, "", StringComparison.OrdinalIgnoreCase);
        foreach (var marker in foreign.Markers.Where(m => m.Length > 0))
            text.Contains(marker, StringComparison.OrdinalIgnoreCase).ShouldBeFalse($"{what}: the response carries '{marker}' of {foreign.Code}: {Cut(body)}");
    }

    public static async Task<(HttpStatusCode Status, string Body)> ReadAllAsync(this HttpResponseMessage response)
    {
        using (response)
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string Cut(string text) => text.Length <= 1500 ? text : text[..1500] + "…";
}
