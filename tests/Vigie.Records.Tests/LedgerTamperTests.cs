using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;
using Vigie.Storage;

namespace Vigie.Records.Tests;

/// <summary>
/// A database administrator edits the ledger directly; <c>vigie audit verify</c> (the real executable) must say so
/// and name the first entry that was changed, removed, inserted or reordered, on SQLite and PostgreSQL.
/// </summary>
public sealed class LedgerTamperTests
{
    private const int Entries = 20;

    private static async Task<VigieTestHost> LedgerWithEntriesAsync(string provider)
    {
        var host = await RecordsHost.StartAsync(provider, new Dictionary<string, string?> { ["ledger_checkpoint_interval"] = "5" });
        var writer = host.Services.GetRequiredService<LedgerWriter>();
        // One at a time, so that checkpoints fall every 5 entries (a batch is signed at its end).
        foreach (var i in Enumerable.Range(1, Entries))
        {
            await writer.AppendAsync(new LedgerEntry
        {
            UserName = $"user{i % 3}", UserRoles = "clinician", Action = "read", ResourceType = "Patient", ResourceId = $"p{i}", PatientId = $"p{i}",
            Status = 200, Decision = "permit", Reasons = "a care relationship links the patient to you", Purpose = "TREAT", CareRelationship = "encounter",
            PrevHash = [], Hash = [],
        });
        }
        await writer.CheckpointNowAsync();
        return host;
    }

    private static Task<VigieProcess.Result> VerifyAsync(VigieTestHost host)
    {
        var args = new List<string> { "audit", "verify", "--data", host.Store.DataDirectory };
        if (host.Store.Url.Length > 0)
            args.AddRange(["--store", host.Store.Url]);
        return VigieProcess.RunAsync(args);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_untouched_ledger_verifies(string provider)
    {
        await using var host = await LedgerWithEntriesAsync(provider);
        var result = await VerifyAsync(host);
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain($"{Entries} entries");
        result.Stdout.ShouldContain("checkpoints verified");
    }

    public static TheoryData<string, string> Tampering()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in new[] { "sqlite", "postgres" })
        foreach (var kind in new[] { "changed", "removed", "inserted", "reordered", "rewritten" })
            data.Add(provider, kind);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Tampering))]
    public async Task A_direct_edit_of_the_ledger_is_found_and_its_first_bad_entry_named(string provider, string kind)
    {
        await using var host = await LedgerWithEntriesAsync(provider);
        var expected = 7L;
        switch (kind)
        {
            case "changed":
                await LedgerForgery.ExecuteAsync(host, "UPDATE audit_ledger SET decision = 'deny' WHERE seq = 7");
                break;
            case "removed":
                await LedgerForgery.ExecuteAsync(host, "DELETE FROM audit_ledger WHERE seq = 7");
                break;
            case "inserted":
                // Make room at 7, then slip in a row that claims to follow entry 6.
                await LedgerForgery.ExecuteAsync(host,
                    "UPDATE audit_ledger SET seq = seq + 1000 WHERE seq >= 7",
                    "UPDATE audit_ledger SET seq = seq - 999 WHERE seq >= 1007",
                    "INSERT INTO audit_ledger (seq, time_us, user_name, action, status, decision, break_glass, privacy_flags, prev_hash, hash, forwarded) " +
                    "SELECT 7, time_us, 'intruder', 'read', 200, 'permit', break_glass, 0, hash, prev_hash, forwarded FROM audit_ledger WHERE seq = 6");
                break;
            case "reordered":
                await LedgerForgery.ExecuteAsync(host,
                    "UPDATE audit_ledger SET seq = -7 WHERE seq = 7",
                    "UPDATE audit_ledger SET seq = 7 WHERE seq = 12",
                    "UPDATE audit_ledger SET seq = 12 WHERE seq = -7");
                break;
            case "rewritten":
                // A careful forger recomputes every hash after entry 8: only the signed checkpoint at 10 can tell.
                await LedgerForgery.RewriteFromAsync(host, 7);
                expected = 6; // entries 6–10 lie between the checkpoints at 5 and 10
                break;
        }
        var result = await VerifyAsync(host);
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldContain($"first bad entry: {expected} ({kind})", Case.Sensitive, result.ToString());
        result.Stderr.ShouldContain("ledger damaged");
    }
}
