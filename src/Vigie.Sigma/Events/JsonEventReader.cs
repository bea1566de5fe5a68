using System.Text.Json;

namespace Vigie.Sigma.Events;

/// <summary>
/// Splits JSON text into events: one object, an array of objects, JSON lines, or objects simply
/// concatenated (pretty-printed one after another, as in SigmaHQ's regression samples).
/// </summary>
public static class JsonEventReader
{
    /// <summary>
    /// Parses every top-level JSON value of <paramref name="utf8"/>; arrays are expanded into their elements.
    /// The returned elements own their memory (cloned), so the input may be reused.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON; the message names the byte offset and line.</exception>
    public static List<JsonElement> ReadAll(ReadOnlySpan<byte> utf8)
    {
        var events = new List<JsonElement>();
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            utf8 = utf8[3..];
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        while (true)
        {
            JsonDocument document;
            try
            {
                if (!reader.Read())
                    break;
                document = JsonDocument.ParseValue(ref reader);
            }
            catch (JsonException e)
            {
                throw new JsonException($"invalid JSON at byte offset {reader.TokenStartIndex} (line {e.LineNumber + 1}): {e.Message}", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in document.RootElement.EnumerateArray())
                        events.Add(item.Clone());
                }
                else
                {
                    events.Add(document.RootElement.Clone());
                }
            }
        }
        return events;
    }
}
