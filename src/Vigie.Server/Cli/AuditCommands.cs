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
            var progress = new VerifyProgress(watch);
            var result = await sp.GetRequiredService<LedgerVerifier>().VerifyAsync(key, progress, ct);
            watch.Stop();
            progress.Done();
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

    /// <summary>Entries verified so far, on standard error: redrawn in place on a terminal, a line every few seconds otherwise.</summary>
    private sealed class VerifyProgress(Stopwatch watch) : IProgress<long>
    {
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private readonly Lock _lock = new();
        private TimeSpan _last;
        private bool _drawn;

        public void Report(long entries)
        {
            lock (_lock)
            {
                var now = watch.Elapsed;
                if (now - _last < (_terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5)))
                    return;
                _last = now;
                _drawn = true;
                var line = $"{entries:N0} entries verified, {entries / Math.Max(0.001, now.TotalSeconds):N0}/s";
                if (_terminal)
                    Console.Error.Write("\r" + line);
                else
                    Console.Error.WriteLine(line);
            }
        }

        public void Done()
        {
            if (_drawn && _terminal)
                Console.Error.WriteLine();
        }
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
