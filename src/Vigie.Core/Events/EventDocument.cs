using System.Globalization;
using System.Text.Json;
using Vigie.Sigma.Events;

namespace Vigie.Core.Events;

/// <summary>
/// One event as Vigie stores and detects on it: a flat map of dotted field names (ECS names such as
/// <c>source.ip</c> beside the event's original names such as <c>EventID</c>) to scalar values, lists of
/// scalars, or raw JSON for lists of objects. Flat, so that a field is one look-up in memory, one JSON key
/// in the store (<c>doc-&gt;&gt;'source.ip'</c>) and one name in a search.
/// </summary>
public sealed class EventDocument : ISigmaEvent
{
    private readonly Dictionary<string, object?> _fields;

    public EventDocument(int capacity = 32) => _fields = new Dictionary<string, object?>(capacity, StringComparer.Ordinal);

    public int Count => _fields.Count;

    /// <summary>The event's time (its <c>@timestamp</c>), UTC; set by normalisation.</summary>
    public DateTime Timestamp { get; set; }

    public IEnumerable<KeyValuePair<string, object?>> Fields => _fields;

    public bool Contains(string name) => _fields.ContainsKey(name);

    public object? this[string name]
    {
        get => _fields.TryGetValue(name, out var v) ? v : null;
        set => _fields[name] = value;
    }

    /// <summary>Sets a text field unless the value is null or empty.</summary>
    public void Set(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            _fields[name] = value;
    }

    public void Set(string name, long value) => _fields[name] = value;

    public void SetList(string name, params string[] values) => _fields[name] = new List<object?>(values);

    /// <summary>Sets a field only when the event does not carry it yet.</summary>
    public void SetDefault(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !_fields.ContainsKey(name))
            _fields[name] = value;
    }

    public void Remove(string name) => _fields.Remove(name);

    public bool TryGet(string name, out object? value) => _fields.TryGetValue(name, out value);

    /// <summary>The field as text: strings as they are, numbers and booleans in invariant form; null when absent or structured.</summary>
    public string? GetText(string name) => _fields.TryGetValue(name, out var v) ? TextOf(v) : null;

    public static string? TextOf(object? v) => v switch
    {
        null => null,
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        List<object?> list => list.Count > 0 ? TextOf(list[0]) : null,
        _ => null,
    };

    /// <summary>Copies every property of a JSON object in, nested objects flattened to dotted names.</summary>
    public void AddFlattened(JsonElement element, string prefix = "")
    {
        if (element.ValueKind != JsonValueKind.Object)
            return;
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Object)
            {
                if (HasProperties(value))
                    AddFlattened(value, name);
                continue;
            }
            _fields[name] = FromJson(value);
        }
    }

    private static bool HasProperties(JsonElement element)
    {
        using var e = element.EnumerateObject();
        return e.MoveNext();
    }

    /// <summary>A JSON value as a field value: scalars as .NET values, arrays of scalars as lists, anything deeper as raw JSON.</summary>
    public static object? FromJson(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
                return value.TryGetInt64(out var l) ? l : value.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Array:
                var list = new List<object?>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                        return new RawJson(value.GetRawText());
                    list.Add(FromJson(item));
                }
                return list;
            case JsonValueKind.Object:
                return new RawJson(value.GetRawText());
            default:
                return null;
        }
    }

    /// <summary>Writes the event as one flat JSON object.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in _fields)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case double d:
                if (double.IsFinite(d))
                    writer.WriteNumberValue(d);
                else
                    writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                    WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            case RawJson raw:
                writer.WriteRawValue(raw.Json, skipInputValidation: true);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    public byte[] ToUtf8Json()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }

    public string ToJson() => System.Text.Encoding.UTF8.GetString(ToUtf8Json());

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Reads a stored event back (a flat JSON object).</summary>
    public static EventDocument Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var e = new EventDocument();
        foreach (var property in document.RootElement.EnumerateObject())
            e._fields[property.Name] = FromJson(property.Value);
        return e;
    }

    // ISigmaEvent: the engine asks each field at most once per event.
    public bool TryGetField(string name, out SigmaFieldValue value)
    {
        if (_fields.TryGetValue(name, out var raw))
        {
            value = ToSigma(raw);
            return true;
        }
        value = default;
        return false;
    }

    public void CollectValues(List<SigmaFieldValue> values)
    {
        foreach (var (_, raw) in _fields)
        {
            if (raw is List<object?> list)
            {
                foreach (var item in list)
                    values.Add(ToSigma(item));
            }
            else if (raw is not null and not RawJson)
            {
                values.Add(ToSigma(raw));
            }
        }
    }

    private static SigmaFieldValue ToSigma(object? raw) => raw switch
    {
        null => SigmaFieldValue.Null,
        string s => SigmaFieldValue.FromString(s),
        long l => SigmaFieldValue.FromNumber(l, l.ToString(CultureInfo.InvariantCulture)),
        double d => SigmaFieldValue.FromNumber(d),
        bool b => SigmaFieldValue.FromBoolean(b),
        List<object?> list => SigmaFieldValue.FromList(list.ConvertAll(ToSigma)),
        RawJson r => SigmaFieldValue.FromObject(r.Json),
        _ => SigmaFieldValue.FromString(Convert.ToString(raw, CultureInfo.InvariantCulture) ?? ""),
    };
}

/// <summary>A field value kept as JSON text (a list of objects, a nested structure inside a list).</summary>
public sealed record RawJson(string Json);
