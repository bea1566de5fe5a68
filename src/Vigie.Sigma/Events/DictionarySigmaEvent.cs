using System.Collections;
using System.Globalization;

namespace Vigie.Sigma.Events;

/// <summary>
/// An event held as a dictionary: values are strings, numbers, booleans, null, nested dictionaries
/// (reached by dotted names, after a literal key of the same name) or sequences of those.
/// </summary>
public sealed class DictionarySigmaEvent : ISigmaEvent
{
    private readonly IReadOnlyDictionary<string, object?> _fields;

    /// <summary>Wraps a dictionary of fields; it is read, never copied.</summary>
    public DictionarySigmaEvent(IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = fields;
    }

    /// <inheritdoc />
    public bool TryGetField(string name, out SigmaFieldValue value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetPath(_fields, name, out var raw))
        {
            value = Convert(raw);
            return true;
        }
        value = default;
        return false;
    }

    /// <inheritdoc />
    public void CollectValues(List<SigmaFieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var pair in _fields)
            Collect(pair.Value, values);
    }

    private static bool TryGetPath(IReadOnlyDictionary<string, object?> fields, string name, out object? raw)
    {
        if (fields.TryGetValue(name, out raw))
            return true;
        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = name.IndexOf('.', dot + 1))
        {
            if (fields.TryGetValue(name[..dot], out var child) && child is IReadOnlyDictionary<string, object?> nested
                && TryGetPath(nested, name[(dot + 1)..], out raw))
                return true;
        }
        raw = null;
        return false;
    }

    private static SigmaFieldValue Convert(object? raw) => raw switch
    {
        null => SigmaFieldValue.Null,
        string s => SigmaFieldValue.FromString(s),
        bool b => SigmaFieldValue.FromBoolean(b),
        int or long or short or byte or sbyte or ushort or uint or ulong or double or float or decimal =>
            SigmaFieldValue.FromNumber(System.Convert.ToDouble(raw, CultureInfo.InvariantCulture),
                System.Convert.ToString(raw, CultureInfo.InvariantCulture)!),
        IReadOnlyDictionary<string, object?> => SigmaFieldValue.FromObject("{…}"),
        IEnumerable sequence => SigmaFieldValue.FromList(ConvertAll(sequence)),
        IFormattable f => SigmaFieldValue.FromString(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => SigmaFieldValue.FromString(raw.ToString() ?? ""),
    };

    private static List<SigmaFieldValue> ConvertAll(IEnumerable sequence)
    {
        var list = new List<SigmaFieldValue>();
        foreach (var item in sequence)
            list.Add(Convert(item));
        return list;
    }

    private static void Collect(object? raw, List<SigmaFieldValue> values)
    {
        switch (raw)
        {
            case null:
                return;
            case string s:
                values.Add(SigmaFieldValue.FromString(s));
                return;
            case IReadOnlyDictionary<string, object?> nested:
                foreach (var pair in nested)
                    Collect(pair.Value, values);
                return;
            case IEnumerable sequence:
                foreach (var item in sequence)
                    Collect(item, values);
                return;
            default:
                values.Add(Convert(raw));
                return;
        }
    }
}
