namespace Vigie.Formats.Fhir;

/// <summary>The forms a FHIR reference string takes.</summary>
public enum FhirReferenceKind
{
    /// <summary><c>Patient/123</c>, optionally with <c>/_history/2</c>.</summary>
    Relative = 1,
    /// <summary><c>urn:uuid:…</c> or <c>urn:oid:…</c>: an entry of the same bundle.</summary>
    Urn = 2,
    /// <summary><c>#id</c>: a contained resource.</summary>
    Contained = 3,
    /// <summary><c>Patient?identifier=…</c>: resolved by search when a bundle is processed.</summary>
    Conditional = 4,
    /// <summary><c>https://…</c>: a resource on another server.</summary>
    Absolute = 5,
}

/// <summary>A parsed reference string.</summary>
/// <param name="Kind">Its form.</param>
/// <param name="ResourceType">The target type for relative and conditional references.</param>
/// <param name="Id">The target id for relative references.</param>
/// <param name="Text">The reference as written.</param>
public readonly record struct FhirReference(FhirReferenceKind Kind, string? ResourceType, string? Id, string Text)
{
    /// <summary>Parses a reference string; false when it has none of the forms FHIR allows.</summary>
    public static bool TryParse(string? text, out FhirReference reference)
    {
        reference = default;
        if (string.IsNullOrEmpty(text) || text.AsSpan().ContainsAny(' ', '\t', '\n'))
            return false;
        if (text.StartsWith("urn:uuid:", StringComparison.Ordinal) || text.StartsWith("urn:oid:", StringComparison.Ordinal))
        {
            reference = new FhirReference(FhirReferenceKind.Urn, null, null, text);
            return true;
        }
        if (text[0] == '#')
        {
            reference = new FhirReference(FhirReferenceKind.Contained, null, text[1..], text);
            return true;
        }
        if (text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal))
        {
            reference = new FhirReference(FhirReferenceKind.Absolute, null, null, text);
            return true;
        }
        var question = text.IndexOf('?', StringComparison.Ordinal);
        if (question > 0)
        {
            var type = text[..question];
            if (!IsTypeName(type))
                return false;
            reference = new FhirReference(FhirReferenceKind.Conditional, type, null, text);
            return true;
        }
        var parts = text.Split('/');
        if ((parts.Length == 2 || (parts.Length == 4 && parts[2] == "_history" && FhirPrimitives.IsId(parts[3]))) &&
            IsTypeName(parts[0]) && FhirPrimitives.IsId(parts[1]))
        {
            reference = new FhirReference(FhirReferenceKind.Relative, parts[0], parts[1], text);
            return true;
        }
        return false;
    }

    private static bool IsTypeName(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetterUpper(s[0]))
            return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiLetter(c))
                return false;
        }
        return true;
    }
}
