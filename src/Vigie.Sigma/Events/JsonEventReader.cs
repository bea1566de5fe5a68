using System.Text.Json;

namespace Vigie.Sigma.Events;

/// <summary>
/// Splits JSON text into events: one object, an array of objects, JSON lines, or objects simply
/// concatenated (pretty-printed one after another, as in SigmaHQ's regression samples).
/// </summary>
public static class JsonEventReader
{
    /// <summary>
    /// Parses the top-level JSON values of <paramref name="utf8"/> one at a time, for inputs too large to hold
    /// as elements all at once: the caller owns (and disposes) each document; an array comes as one document.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON; the message names the byte offset and line.</exception>
    public static IEnumerable<JsonDocument> ReadDocuments(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            utf8 = utf8[3..];
        var offset = 0;
        var line = 1;
        while (true)
        {
            var document = ParseAt(utf8.Span, ref offset, ref line);
            if (document is null)
                yield break;
            yield return document;
        }
    }

    private static JsonDocument? ParseAt(ReadOnlySpan<byte> utf8, ref int offset, ref int line)
    {
        var rest = utf8[offset..];
        var reader = new Utf8JsonReader(rest, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
                return null;
            var document = JsonDocument.ParseValue(ref reader);
            var consumed = (int)reader.BytesConsumed;
            line += rest[..consumed].Count((byte)'\n');
            offset += consumed;
            return document;
        }
        catch (JsonException e)
        {
            throw new JsonException($"invalid JSON at byte offset {offset + reader.TokenStartIndex} (line {line + (e.LineNumber ?? 0)}): {e.Message}", e);
        }
    }

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
