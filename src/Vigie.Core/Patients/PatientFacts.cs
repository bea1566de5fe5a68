using System.Text;
using System.Text.Json;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Patients;

/// <summary>The identity traits of a Patient that matching compares, normalised (lower case, no accents, no digits).</summary>
public sealed record PatientFacts(
    IReadOnlyList<string> FamilyNames,
    IReadOnlyList<string> GivenNames,
    string? BirthDate,
    string? Gender,
    string? BirthPlace,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Identifiers)
{
    public static PatientFacts Of(JsonElement patient)
    {
        var families = new List<string>();
        var givens = new List<string>();
        if (patient.TryGetProperty("name", out var names) && names.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in names.EnumerateArray())
            {
                if (name.TryGetProperty("family", out var f) && f.ValueKind == JsonValueKind.String && Clean(f.GetString()!) is { Length: > 0 } family)
                    families.Add(family);
                if (name.TryGetProperty("given", out var g) && g.ValueKind == JsonValueKind.Array)
                {
                    foreach (var given in g.EnumerateArray())
                    {
                        if (given.ValueKind == JsonValueKind.String && Clean(given.GetString()!) is { Length: > 0 } x)
                            givens.Add(x);
                    }
                }
            }
        }
        var addresses = new List<string>();
        if (patient.TryGetProperty("address", out var addressArray) && addressArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var address in addressArray.EnumerateArray())
            {
                if (Address(address) is { } a)
                    addresses.Add(a);
            }
        }
        string? birthPlace = null;
        if (patient.TryGetProperty("extension", out var extensions) && extensions.ValueKind == JsonValueKind.Array)
        {
            foreach (var extension in extensions.EnumerateArray())
            {
                if (extension.TryGetProperty("url", out var url) && url.GetString() == "http://hl7.org/fhir/StructureDefinition/patient-birthPlace" &&
                    extension.TryGetProperty("valueAddress", out var place) && place.TryGetProperty("city", out var city) && city.ValueKind == JsonValueKind.String)
                    birthPlace = Clean(city.GetString()!);
            }
        }
        var identifiers = new List<string>();
        if (patient.TryGetProperty("identifier", out var ids) && ids.ValueKind == JsonValueKind.Array)
        {
            foreach (var id in ids.EnumerateArray())
            {
                if (id.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String)
                    identifiers.Add($"{(id.TryGetProperty("system", out var s) ? s.GetString() : "")}|{v.GetString()}");
            }
        }
        return new PatientFacts(families, givens,
            patient.TryGetProperty("birthDate", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null,
            patient.TryGetProperty("gender", out var gender) && gender.ValueKind == JsonValueKind.String ? gender.GetString() : null,
            birthPlace, addresses, identifiers);
    }

    /// <summary>An address as one comparable string: first line, postal code and city.</summary>
    public static string? Address(JsonElement address)
    {
        if (address.ValueKind != JsonValueKind.Object)
            return null;
        var line = address.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Array && l.GetArrayLength() > 0 ? l[0].GetString() : null;
        var city = address.TryGetProperty("city", out var c) ? c.GetString() : null;
        if (line is null || city is null)
            return null;
        var postal = address.TryGetProperty("postalCode", out var p) ? p.GetString() : "";
        return FhirSearchValues.Normalise($"{line}|{postal}|{city}").Trim();
    }

    /// <summary>Keys that put likely duplicates in the same block: birth date; family-name sound with birth year.</summary>
    public IEnumerable<string> BlockingKeys()
    {
        if (BirthDate is not null)
            yield return "b:" + BirthDate;
        var year = BirthDate is { Length: >= 4 } ? BirthDate[..4] : "";
        foreach (var family in FamilyNames)
            yield return $"f:{Soundex(family)}:{year}";
    }

    /// <summary>Lower case, accents and digits removed (Synthea appends digits to names).</summary>
    public static string Clean(string text)
    {
        var n = FhirSearchValues.Normalise(text);
        var sb = new StringBuilder(n.Length);
        foreach (var ch in n)
        {
            if (char.IsLetter(ch) || ch == ' ' || ch == '-')
                sb.Append(ch);
        }
        return sb.ToString().Trim();
    }

    /// <summary>American Soundex of a cleaned name: a letter and three digits.</summary>
    public static string Soundex(string name)
    {
        var letters = name.Where(char.IsAsciiLetter).Select(char.ToUpperInvariant).ToArray();
        if (letters.Length == 0)
            return "0000";
        static char Code(char c) => c switch
        {
            'B' or 'F' or 'P' or 'V' => '1',
            'C' or 'G' or 'J' or 'K' or 'Q' or 'S' or 'X' or 'Z' => '2',
            'D' or 'T' => '3',
            'L' => '4',
            'M' or 'N' => '5',
            'R' => '6',
            _ => '0',
        };
        var sb = new StringBuilder().Append(letters[0]);
        var last = Code(letters[0]);
        for (var i = 1; i < letters.Length && sb.Length < 4; i++)
        {
            var code = Code(letters[i]);
            if (code != '0' && code != last)
                sb.Append(code);
            if (letters[i] is not ('H' or 'W'))
                last = code;
        }
        return sb.ToString().PadRight(4, '0');
    }
}
