using System.CommandLine;
using System.Diagnostics;
using Vigie.Core.Audit;

namespace Vigie.Server.Cli;

/// <summary><c>vigie audit verify</c>: recompute the ledger's chain and check its signed checkpoints.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var command = new Command("audit", "The audit ledger of record accesses.");
        command.Subcommands.Add(Verify());
        return command;
    }

    private static Command Verify()
    {
        var publicKey = new Option<string?>("--public-key") { Description = "PEM public key of the checkpoints (default: <data>/keys/ledger-signing.pub.pem).", HelpName = "FILE" };
        var command = new Command("verify", "Recompute the ledger's hash chain and signed checkpoints: exit 0 when intact, 1 naming the first entry changed, removed, inserted or reordered.") { publicKey };
        var store = StoreOptions.AddTo(command);
        command.SetAction((parse, ct) => StoreSession.RunAsync(store.Configuration(parse), async sp =>
        {
            using var key = LoadKey(parse.GetValue(publicKey), sp.GetRequiredService<LedgerSigner>());
            var watch = Stopwatch.StartNew();
            var result = await sp.GetRequiredService<LedgerVerifier>().VerifyAsync(key, ct);
            watch.Stop();
            if (result.Intact)
            {
                var rate = watch.Elapsed.TotalSeconds > 0 ? result.Entries / watch.Elapsed.TotalSeconds : 0;
                Console.WriteLine($"Ledger intact: {result.Message} ({watch.Elapsed.TotalSeconds:0.00} s, {rate:0} entries/s).");
                return ExitCodes.Ok;
            }
            Console.Error.WriteLine($"vigie: ledger damaged: {result.Message}");
            Console.WriteLine($"first bad entry: {result.FirstBadSeq} ({result.Damage.ToString().ToLowerInvariant()})");
            return ExitCodes.Failed;
        }, ct));
        return command;
    }

    private static System.Security.Cryptography.ECDsa? LoadKey(string? file, LedgerSigner signer)
    {
        if (file is null)
            return signer.PublicKey();
        if (!File.Exists(file))
            throw new CliException($"public key file '{file}' does not exist", ExitCodes.Usage);
        var key = System.Security.Cryptography.ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(file));
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new CliException($"'{file}' holds no PEM public key", ExitCodes.Usage);
        }
        return key;
    }
}
