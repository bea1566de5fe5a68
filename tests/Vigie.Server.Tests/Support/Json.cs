using System.Text.Json;

namespace Vigie.Server.Tests.Support;

public static class Json
{
    public static async Task<JsonElement> ReadAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static IReadOnlyList<string> Strings(this JsonElement items, string property) =>
        items.EnumerateArray().Select(e => e.GetProperty(property).GetString()!).ToList();
}
