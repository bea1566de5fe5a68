using System.Security.Cryptography;

namespace Vigie.Core.Records;

/// <summary>
/// Where the key-encryption key (KEK) comes from: <c>--kek-file FILE</c>, or <c>VIGIE_KEK</c> (base64 of 32 bytes),
/// or, when allowed (SQLite default, demo), a file in the key folder created on first use.
/// </summary>
public sealed class KeyEncryptionKeySource(string? kekBase64, string? kekFile, string? defaultFile)
{
    public const int KeySize = 32;

    /// <summary>Reads the KEK now (a rotated file is read again).</summary>
    public byte[] Read()
    {
        if (!string.IsNullOrWhiteSpace(kekBase64))
            return Decode(kekBase64.Trim(), "VIGIE_KEK");
        if (!string.IsNullOrWhiteSpace(kekFile))
        {
            if (!File.Exists(kekFile))
                throw VigieException.Invalid($"key-encryption key file '{kekFile}' does not exist");
            return Decode(File.ReadAllText(kekFile).Trim(), kekFile);
        }
        if (defaultFile is null)
            throw VigieException.Invalid("no key-encryption key: give --kek-file FILE or VIGIE_KEK (base64 of 32 random bytes); records are encrypted at rest");
        if (!File.Exists(defaultFile))
            Create(defaultFile, RandomNumberGenerator.GetBytes(KeySize));
        return Decode(File.ReadAllText(defaultFile).Trim(), defaultFile);
    }

    /// <summary>The file a rotation writes the new KEK to: the one in use, or the default file.</summary>
    public string? WritableFile => string.IsNullOrWhiteSpace(kekBase64) ? (string.IsNullOrWhiteSpace(kekFile) ? defaultFile : kekFile) : null;

    public static string Fingerprint(ReadOnlySpan<byte> kek) => Convert.ToHexStringLower(SHA256.HashData(kek))[..16];

    /// <summary>Writes a key file readable by its owner only, replacing any previous one atomically.</summary>
    public static void Create(string path, byte[] key)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(Convert.ToBase64String(key));
        File.Move(temp, path, overwrite: true);
    }

    private static byte[] Decode(string text, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw VigieException.Invalid($"key-encryption key from {source} is not base64");
        }
        if (key.Length != KeySize)
            throw VigieException.Invalid($"key-encryption key from {source} has {key.Length} bytes; it must have {KeySize}");
        return key;
    }
}
