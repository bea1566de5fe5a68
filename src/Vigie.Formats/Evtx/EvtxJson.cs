using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vigie.Formats.Evtx;

/// <summary>JSON settings for rendering EVTX records.</summary>
public static class EvtxJson
{
    /// <summary>
    /// Compact output that keeps non-ASCII text and characters such as <c>&lt;</c>, <c>&amp;</c> and <c>'</c> as they are
    /// (the output is JSON lines for tools, not HTML), and skips validation (the writer is driven by the reader only).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Dictionary<string, JsonEncodedText>? t_names;

    /// <summary>
    /// A field or element name, encoded for JSON once per thread: names are interned, so a lookup by reference finds it.
    /// Encoding the thirty names of every record again cost about a third of writing it.
    /// </summary>
    internal static JsonEncodedText Name(string name)
    {
        var names = t_names ??= new Dictionary<string, JsonEncodedText>(ReferenceEqualityComparer.Instance);
        if (names.TryGetValue(name, out var encoded))
            return encoded;
        encoded = JsonEncodedText.Encode(ReplaceUnpairedSurrogates(name), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        if (names.Count < 20_000)
            names[name] = encoded;
        return encoded;
    }

    /// <summary>JSON cannot carry unpaired surrogates (damaged names and text can hold them): they become U+FFFD.</summary>
    internal static string ReplaceUnpairedSurrogates(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            return text;
        var chars = text.ToCharArray();
        ReplaceUnpairedSurrogates(chars);
        return new string(chars);
    }

    internal static void ReplaceUnpairedSurrogates(Span<char> chars)
    {
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                i++;
            else if (char.IsSurrogate(chars[i]))
                chars[i] = '\uFFFD';
        }
    }
}
