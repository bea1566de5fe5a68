using System.Security.Cryptography;

namespace Vigie.Core.Patients;

/// <summary>
/// The national health identifier Vigie issues: 16 digits, 14 random then two check digits computed as in
/// ISO 7064 MOD 97-10 (the scheme of IBANs): the whole number is ≡ 1 mod 97, which catches every single-digit
/// error and every swap of two adjacent digits. Written in groups of four: <c>4821 0937 5512 3390</c>; stored
/// without spaces. The FHIR identifier system is <see cref="System"/>.
/// </summary>
public static class NationalHealthId
{
    public const string System = "urn:oid:2.16.504.1.1.1";
    public const int Length = 16;

    public static string NewId()
    {
        Span<char> digits = stackalloc char[Length];
        // The first digit is never 0 so that the identifier keeps its length as a number.
        digits[0] = (char)('1' + RandomNumberGenerator.GetInt32(9));
        for (var i = 1; i < Length - 2; i++)
            digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        var check = CheckDigits(digits[..(Length - 2)]);
        digits[Length - 2] = (char)('0' + check / 10);
        digits[Length - 1] = (char)('0' + check % 10);
        return new string(digits);
    }

    /// <summary>The two check digits of a 14-digit body: 98 − (body × 100 mod 97).</summary>
    public static int CheckDigits(ReadOnlySpan<char> body)
    {
        var remainder = 0;
        foreach (var c in body)
            remainder = (remainder * 10 + (c - '0')) % 97;
        remainder = remainder * 100 % 97;
        return 98 - remainder;
    }

    /// <summary>True when <paramref name="text"/> (spaces allowed) has 16 digits and valid check digits.</summary>
    public static bool IsValid(string? text)
    {
        var id = Normalise(text);
        if (id is null)
            return false;
        var remainder = 0;
        foreach (var c in id)
            remainder = (remainder * 10 + (c - '0')) % 97;
        return remainder == 1;
    }

    /// <summary>The identifier without spaces, or null when it is not 16 digits.</summary>
    public static string? Normalise(string? text)
    {
        if (text is null)
            return null;
        var id = text.Replace(" ", "", StringComparison.Ordinal);
        if (id.Length != Length)
            return null;
        foreach (var c in id)
        {
            if (!char.IsAsciiDigit(c))
                return null;
        }
        return id;
    }

    public static string Format(string id) => $"{id[..4]} {id[4..8]} {id[8..12]} {id[12..]}";
}
