using System.Globalization;

namespace Vigie.Sigma.Events;

/// <summary>
/// One value of an event field, as the engine compares it: a string form for string modifiers and a
/// numeric form for numeric ones. A struct, so that a field look-up allocates nothing beyond the text.
/// </summary>
public readonly struct SigmaFieldValue
{
    private SigmaFieldValue(SigmaValueKind kind, string? text, double number, IReadOnlyList<SigmaFieldValue>? items)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Items = items;
    }

    /// <summary>What the value is.</summary>
    public SigmaValueKind Kind { get; }

    /// <summary>The value as text: the string itself, a number as written, <c>true</c>/<c>false</c>; null for null and lists.</summary>
    public string? Text { get; }

    /// <summary>The numeric value for numbers (and for strings that parse as numbers, see <see cref="TryGetNumber"/>); NaN otherwise.</summary>
    public double Number { get; }

    /// <summary>The elements of a list value; null for any other kind.</summary>
    public IReadOnlyList<SigmaFieldValue>? Items { get; }

    /// <summary>The null value.</summary>
    public static SigmaFieldValue Null => default;

    /// <summary>A string value.</summary>
    public static SigmaFieldValue FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(SigmaValueKind.String, text, double.NaN, null);
    }

    /// <summary>A numeric value with the text it was written as.</summary>
    public static SigmaFieldValue FromNumber(double number, string text) => new(SigmaValueKind.Number, text, number, null);

    /// <summary>A numeric value; its text is the invariant rendering of the number.</summary>
    public static SigmaFieldValue FromNumber(double number) =>
        new(SigmaValueKind.Number, number.ToString("R", CultureInfo.InvariantCulture), number, null);

    /// <summary>A boolean value.</summary>
    public static SigmaFieldValue FromBoolean(bool value) => new(SigmaValueKind.Boolean, value ? "true" : "false", double.NaN, null);

    /// <summary>A list of values.</summary>
    public static SigmaFieldValue FromList(IReadOnlyList<SigmaFieldValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(SigmaValueKind.List, null, double.NaN, items);
    }

    /// <summary>A nested object, carried as its JSON text.</summary>
    public static SigmaFieldValue FromObject(string json) => new(SigmaValueKind.Object, json, double.NaN, null);

    /// <summary>The numeric value of a number, or of a string that holds a decimal or <c>0x</c> hexadecimal integer.</summary>
    public bool TryGetNumber(out double number)
    {
        if (Kind == SigmaValueKind.Number)
        {
            number = Number;
            return true;
        }
        if (Kind == SigmaValueKind.String && Text is { Length: > 0 } text)
        {
            var span = text.AsSpan().Trim();
            if (span.Length > 2 && span[0] == '0' && (span[1] == 'x' || span[1] == 'X')
                && long.TryParse(span[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                number = hex;
                return true;
            }
            return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
        number = double.NaN;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        SigmaValueKind.Null => "null",
        SigmaValueKind.List => "[" + string.Join(", ", Items!) + "]",
        SigmaValueKind.String or SigmaValueKind.Number or SigmaValueKind.Boolean or SigmaValueKind.Object => Text ?? "",
        _ => Text ?? "",
    };
}
