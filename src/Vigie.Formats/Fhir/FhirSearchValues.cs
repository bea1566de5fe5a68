using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vigie.Formats.Fhir;

/// <summary>A token value: an optional system and a code (or identifier value).</summary>
/// <param name="System">The code system or identifier namespace; null when the element has none.</param>
/// <param name="Code">The code or value.</param>
public readonly record struct FhirToken(string? System, string Code);

/// <summary>Reads the values a search parameter indexes from a resource.</summary>
public static class FhirSearchValues
{
    /// <summary>Every element value found along the parameter's paths.</summary>
    public static IEnumerable<JsonElement> Elements(JsonElement resource, FhirSearchParameter parameter)
    {
        foreach (var path in parameter.Paths)
        {
            foreach (var e in Walk(resource, path.Split('.'), 0))
                yield return e;
        }
    }

    private static IEnumerable<JsonElement> Walk(JsonElement current, string[] parts, int index)
    {
        if (current.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in current.EnumerateArray())
            {
                foreach (var e in Walk(item, parts, index))
                    yield return e;
            }
            yield break;
        }
        if (index == parts.Length)
        {
            yield return current;
            yield break;
        }
        if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(parts[index], out var next))
        {
            foreach (var e in Walk(next, parts, index + 1))
                yield return e;
        }
    }

    /// <summary>Tokens of a CodeableConcept, Coding, Identifier, code, string or boolean.</summary>
    public static IEnumerable<FhirToken> Tokens(JsonElement resource, FhirSearchParameter parameter)
    {
        foreach (var e in Elements(resource, parameter))
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    yield return new FhirToken(null, e.GetString()!);
                    break;
                case JsonValueKind.True:
                    yield return new FhirToken(null, "true");
                    break;
                case JsonValueKind.False:
                    yield return new FhirToken(null, "false");
                    break;
                case JsonValueKind.Object:
                    if (e.TryGetProperty("coding", out var codings) && codings.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var c in codings.EnumerateArray())
                        {
                            if (Coding(c) is { } t)
                                yield return t;
                        }
                    }
                    else if (Coding(e) is { } coding)
                    {
                        yield return coding;
                    }
                    else if (e.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        yield return new FhirToken(StringOf(e, "system"), value.GetString()!);
                    }
                    break;
            }
        }
    }

    private static FhirToken? Coding(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
            ? new FhirToken(StringOf(e, "system"), code.GetString()!)
            : null;

    /// <summary>The words of a string parameter (names, addresses, plain strings), normalised for matching.</summary>
    public static IEnumerable<string> Words(JsonElement resource, FhirSearchParameter parameter)
    {
        foreach (var e in Elements(resource, parameter))
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                foreach (var w in SplitWords(e.GetString()!))
                    yield return w;
            }
            else if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name is "family" or "text" or "city" or "state" or "postalCode" or "country" or "district" && p.Value.ValueKind == JsonValueKind.String)
                    {
                        foreach (var w in SplitWords(p.Value.GetString()!))
                            yield return w;
                    }
                    else if (p.Name is "given" or "prefix" or "line" && p.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var g in p.Value.EnumerateArray())
                        {
                            if (g.ValueKind == JsonValueKind.String)
                            {
                                foreach (var w in SplitWords(g.GetString()!))
                                    yield return w;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Reference strings of a reference parameter.</summary>
    public static IEnumerable<string> References(JsonElement resource, FhirSearchParameter parameter)
    {
        foreach (var e in Elements(resource, parameter))
        {
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("reference", out var r) && r.ValueKind == JsonValueKind.String)
                yield return r.GetString()!;
        }
    }

    /// <summary>Date ranges of a date parameter: dates, dateTimes, instants and Periods (open ends unbounded).</summary>
    public static IEnumerable<FhirDate> Dates(JsonElement resource, FhirSearchParameter parameter)
    {
        foreach (var e in Elements(resource, parameter))
        {
            if (e.ValueKind == JsonValueKind.String && FhirDate.TryParse(e.GetString(), out var d))
            {
                yield return d;
            }
            else if (e.ValueKind == JsonValueKind.Object)
            {
                var hasStart = FhirDate.TryParse(StringOf(e, "start"), out var start);
                var hasEnd = FhirDate.TryParse(StringOf(e, "end"), out var end);
                if (hasStart || hasEnd)
                    yield return new FhirDate(hasStart ? start.Low : DateTime.MinValue, hasEnd ? end.High : DateTime.MaxValue, 4);
            }
        }
    }

    /// <summary>Lower-case words without accents: how names are matched (<c>Élodie</c> matches <c>elo</c>).</summary>
    public static IEnumerable<string> SplitWords(string text)
    {
        var normalised = Normalise(text);
        foreach (var w in normalised.Split([' ', '-', '\'', ',', '.', '/'], StringSplitOptions.RemoveEmptyEntries))
            yield return w;
    }

    /// <summary>Lower case, accents removed.</summary>
    public static string Normalise(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static string? StringOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
