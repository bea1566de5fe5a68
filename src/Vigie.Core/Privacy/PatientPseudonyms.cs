using System.Security.Cryptography;
using System.Text;

namespace Vigie.Core.Privacy;

/// <summary>
/// Turns a patient identifier into a stable pseudonym (<c>pp_</c> and 26 base32 characters of an
/// HMAC-SHA-256 under a key of this installation). Alerts, observables and the access index keep only the
/// pseudonym; a DPO who knows the identifier finds the patient's entries by pseudonymising it again. Without
/// the key file (in the key folder, never in the database) a pseudonym cannot be reversed by trying identifiers.
/// </summary>
public sealed class PatientPseudonyms
{
    public const string Prefix = "pp_";
    private readonly byte[] _key;

    public PatientPseudonyms(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
            throw new ArgumentException("the pseudonymisation key must hold at least 32 bytes", nameof(key));
        _key = key;
    }

    /// <summary>The pseudonym of an identifier (trimmed, case kept: identifiers are case-sensitive).</summary>
    public string Of(string patientId)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(patientId.Trim()));
        return Prefix + Base32(mac.AsSpan(0, 16));
    }

    public static bool IsPseudonym(string text) => text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length == Prefix.Length + 26;

    /// <summary>Reads the key from <paramref name="file"/>, creating it (32 random bytes, owner-only) on first use.</summary>
    public static PatientPseudonyms FromKeyFile(string file)
    {
        if (!File.Exists(file))
        {
            var folder = Path.GetDirectoryName(file)!;
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
                stream.Write(RandomNumberGenerator.GetBytes(32));
            try
            {
                File.Move(temp, file, overwrite: false);
            }
            catch (IOException)
            {
                // Another process created the key first: theirs is the key.
                File.Delete(temp);
            }
        }
        return new PatientPseudonyms(File.ReadAllBytes(file));
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
            sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
