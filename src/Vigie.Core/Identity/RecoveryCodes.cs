using System.Security.Cryptography;
using System.Text;

namespace Vigie.Core.Identity;

/// <summary>Single-use codes that replace the second factor when the authenticator is lost. 80 random bits each, stored as SHA-256.</summary>
public static class RecoveryCodes
{
    public const int Count = 10;

    public static IReadOnlyList<string> Generate()
    {
        var codes = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            var raw = Totp.ToBase32(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
            codes[i] = $"{raw[..4]}-{raw[4..8]}-{raw[8..12]}-{raw[12..16]}";
        }
        return codes;
    }

    public static string Hash(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(code))));

    public static string HashAll(IEnumerable<string> codes) => string.Join(';', codes.Select(Hash));

    /// <summary>Consumes a code: returns the remaining hashes, or null when the code is not among them.</summary>
    public static string? Consume(string? storedHashes, string code)
    {
        if (string.IsNullOrEmpty(storedHashes))
            return null;
        var hashes = storedHashes.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var hash = Hash(code);
        var index = hashes.FindIndex(h => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h), Encoding.ASCII.GetBytes(hash)));
        if (index < 0)
            return null;
        hashes.RemoveAt(index);
        return string.Join(';', hashes);
    }

    private static string Normalise(string code) => code.Trim().Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
}
