using System.Security.Cryptography;

namespace Vigie.Server.Hosting;

/// <summary>
/// The folder of Vigie's own secrets (token-signing key, data-protection keys), readable by its owner only.
/// Nodes sharing one PostgreSQL store must share this folder too (see docs/OPERATIONS.md).
/// </summary>
internal sealed class KeyFolder(string dataDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(dataDirectory, "keys");

    public static string Ensure(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>The ECDSA P-256 key that signs API tokens, created on first use.</summary>
    public ECDsa TokenSigningKey()
    {
        Ensure(Path);
        var file = System.IO.Path.Combine(Path, "token-signing.pem");
        var key = ECDsa.Create();
        if (File.Exists(file))
        {
            key.ImportFromPem(File.ReadAllText(file));
            return key;
        }
        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        var temp = file + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
        }
        try
        {
            File.Move(temp, file, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created the key first: use theirs.
            File.Delete(temp);
            key.ImportFromPem(File.ReadAllText(file));
        }
        return key;
    }
}
