using System.Security.Cryptography;

namespace Vigie.Core.Audit;

/// <summary>
/// The ECDSA P-256 key that signs ledger checkpoints, kept in the key folder (<c>ledger-signing.pem</c>, created on
/// first use, owner-only) with its public half beside it (<c>ledger-signing.pub.pem</c>) for anyone who verifies.
/// </summary>
public sealed class LedgerSigner
{
    private readonly Lazy<ECDsa> _key;

    public LedgerSigner(string keyFolder)
    {
        KeyFile = Path.Combine(keyFolder, "ledger-signing.pem");
        PublicKeyFile = Path.Combine(keyFolder, "ledger-signing.pub.pem");
        _key = new Lazy<ECDsa>(Load);
    }

    public string KeyFile { get; }
    public string PublicKeyFile { get; }

    public string KeyId => Fingerprint(_key.Value);

    public static string Fingerprint(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    public byte[] Sign(byte[] payload) => _key.Value.SignData(payload, HashAlgorithmName.SHA256);

    /// <summary>The public key for verification: from the key file, or only its public half when the private key is absent.</summary>
    public ECDsa? PublicKey()
    {
        var key = ECDsa.Create();
        if (File.Exists(KeyFile) || File.Exists(PublicKeyFile))
        {
            key.ImportFromPem(File.ReadAllText(File.Exists(PublicKeyFile) ? PublicKeyFile : KeyFile));
            return key;
        }
        key.Dispose();
        return null;
    }

    private ECDsa Load()
    {
        var key = ECDsa.Create();
        if (File.Exists(KeyFile))
        {
            key.ImportFromPem(File.ReadAllText(KeyFile));
            return key;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.GetDirectoryName(KeyFile)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        var temp = KeyFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        try
        {
            File.Move(temp, KeyFile, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created the key first: use theirs.
            File.Delete(temp);
            key.ImportFromPem(File.ReadAllText(KeyFile));
            return key;
        }
        File.WriteAllText(PublicKeyFile, key.ExportSubjectPublicKeyInfoPem());
        return key;
    }
}
