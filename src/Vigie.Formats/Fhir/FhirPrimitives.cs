using System.Text.Json;

namespace Vigie.Formats.Fhir;

/// <summary>The lexical rules of FHIR's primitive types, as the R4 specification states them.</summary>
public static class FhirPrimitives
{
    /// <summary>A resource id: 1 to 64 letters, digits, '-' and '.'.</summary>
    public static bool IsId(ReadOnlySpan<char> s)
    {
        if (s.Length is 0 or > 64)
            return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.')
                return false;
        }
        return true;
    }

    /// <summary>A code: no leading or trailing whitespace, single spaces only inside.</summary>
    public static bool IsCode(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]))
            return false;
        for (var i = 1; i < s.Length; i++)
        {
            if (char.IsWhiteSpace(s[i]) && (s[i] != ' ' || s[i - 1] == ' '))
                return false;
        }
        return true;
    }

    /// <summary>Checks <paramref name="value"/> against primitive <paramref name="type"/>; returns the problem or null.</summary>
    public static string? Check(string type, JsonElement value)
    {
        switch (type)
        {
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false";
            case "integer":
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _) ? null : "must be an integer";
            case "positiveInt":
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var p) && p > 0 ? null : "must be a positive integer";
            case "unsignedInt":
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var u) && u >= 0 ? null : "must be a non-negative integer";
            case "decimal":
                return value.ValueKind == JsonValueKind.Number ? null : "must be a number";
        }
        if (value.ValueKind != JsonValueKind.String)
            return "must be a string";
        var s = value.GetString()!;
        return type switch
        {
            "string" or "markdown" or "xhtml" => s.Length > 0 ? null : "must not be empty",
            "code" => IsCode(s) ? null : "must be a code (no leading, trailing or repeated whitespace)",
            "id" => IsId(s) ? null : "must be an id (1 to 64 letters, digits, '-' or '.')",
            "uri" or "url" or "canonical" => s.Length > 0 && !s.AsSpan().ContainsAny(' ', '\t', '\n') ? null : "must be a URI without whitespace",
            "oid" => s.StartsWith("urn:oid:", StringComparison.Ordinal) ? null : "must be an OID (urn:oid:…)",
            "uuid" => s.StartsWith("urn:uuid:", StringComparison.Ordinal) ? null : "must be a UUID (urn:uuid:…)",
            "date" => FhirDate.TryParse(s, out var d) && d.Precision <= 3 ? null : "must be a date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "dateTime" => FhirDate.TryParse(s, out _) ? null : "must be a dateTime (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)",
            "instant" => FhirDate.IsInstant(s) ? null : "must be an instant (YYYY-MM-DDThh:mm:ss with a time zone)",
            "time" => FhirDate.IsTime(s) ? null : "must be a time (hh:mm:ss)",
            "base64Binary" => IsBase64(s) ? null : "must be base64",
            _ => null,
        };
    }

    private static bool IsBase64(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '=' or '\r' or '\n' or ' '))
                return false;
        }
        return true;
    }
}
