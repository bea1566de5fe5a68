using System.CommandLine;
using System.Security.Cryptography;
using Vigie.Core.Records;

namespace Vigie.Server.Cli;

/// <summary><c>vigie keys rotate</c>: a new data key, every key re-wrapped (optionally under a new key-encryption key).</summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var command = new Command("keys", "The keys that encrypt records at rest.");
        command.Subcommands.Add(Rotate());
        return command;
    }

    private static Command Rotate()
    {
        var newKek = new Option<bool>("--new-kek") { Description = "Also replace the key-encryption key: a new one is written to the KEK file in use (not possible with VIGIE_KEK)." };
        var command = new Command("rotate", "Start a new data key for new writes and re-wrap every key; running nodes keep serving (they load the new key when they meet it).") { newKek };
        RecordsCommands.SetAction(command, async (parse, sp, ct) =>
        {
            var source = sp.GetRequiredService<KeyEncryptionKeySource>();
            var keyring = sp.GetRequiredService<RecordKeyring>();
            await keyring.EnsureLoadedAsync(ct);
            byte[]? kek = null;
            if (parse.GetValue(newKek))
            {
                if (source.WritableFile is null)
                    throw new CliException("--new-kek: the key-encryption key comes from VIGIE_KEK; set the new value there after rotating with --kek-file, or use a KEK file", ExitCodes.Usage);
                kek = RandomNumberGenerator.GetBytes(KeyEncryptionKeySource.KeySize);
            }
            var (id, rewrapped) = await keyring.RotateAsync(kek, ct);
            if (kek is not null)
            {
                var file = source.WritableFile!;
                // The old KEK is kept beside the new one until every node has restarted with the new file.
                File.Copy(file, file + ".previous", overwrite: true);
                KeyEncryptionKeySource.Create(file, kek);
                Console.WriteLine($"New key-encryption key {KeyEncryptionKeySource.Fingerprint(kek)} written to {file} (previous kept as {file}.previous).");
            }
            Console.WriteLine($"Data key {id} is now active; {rewrapped} key(s) re-wrapped.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
