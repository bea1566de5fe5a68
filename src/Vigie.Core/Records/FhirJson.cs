using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigie.Core.Records;

/// <summary>JSON settings for FHIR content: compact, UTF-8 as is.</summary>
public static class FhirJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Serialize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);

    public static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static long Micros(DateTime utc) => utc == DateTime.MaxValue ? long.MaxValue : utc == DateTime.MinValue ? long.MinValue : (utc - DateTime.UnixEpoch).Ticks / 10;

    /// <summary>Every <c>reference</c> string in a resource, with a setter to rewrite it.</summary>
    public static IEnumerable<(string Reference, Action<string> Set)> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (name == "contained")
                        continue;
                    if (name == "reference" && value is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        var o = obj;
                        yield return (text, s => o["reference"] = s);
                    }
                    else
                    {
                        foreach (var r in References(value))
                            yield return r;
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array.ToList())
                {
                    foreach (var r in References(item))
                        yield return r;
                }
                break;
        }
    }
}
