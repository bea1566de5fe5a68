using System.Globalization;
using System.Text.Json;

namespace Vigie.Core.Alerts;

/// <summary>Flattens a JSON event into ECS-style dotted names with text values, as detections carry them.</summary>
public static class JsonEventFields
{
    private const int MaxDepth = 8;
    private const int MaxFields = 500;

    public static Dictionary<string, string> Flatten(JsonElement root)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.ValueKind == JsonValueKind.Object)
            Walk(root, "", fields, 0);
        return fields;
    }

    private static void Walk(JsonElement element, string prefix, Dictionary<string, string> fields, int depth)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (fields.Count >= MaxFields)
                return;
            var name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object when depth < MaxDepth:
                    Walk(value, name, fields, depth + 1);
                    break;
                case JsonValueKind.Array:
                    var items = value.EnumerateArray().Where(i => i.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                        .Select(Text).ToList();
                    if (items.Count > 0)
                        fields[name] = string.Join(",", items);
                    break;
                case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    fields[name] = Text(value);
                    break;
                default:
                    break;
            }
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => value.GetRawText(),
    };

    /// <summary>A timestamp as events write it (ISO 8601, with or without offset: UTC when none), or null.</summary>
    public static DateTime? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.UtcDateTime
            : null;
    }
}
