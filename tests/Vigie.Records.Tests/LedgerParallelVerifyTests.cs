using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;
using Vigie.Storage.Records;

namespace Vigie.Records.Tests;

/// <summary>
/// On SQLite, a large ledger is verified in ranges, one per core, joined afterwards. Forced here onto a small
/// ledger (three ranges of 10): every kind of tampering, including at the joints between ranges, must still be
/// found and named as the ordered pass names it.
/// </summary>
public sealed class LedgerParallelVerifyTests
{
    private const int Entries = 30;

    private static async Task<VigieTestHost> LedgerAsync()
    {
        var host = await RecordsHost.StartAsync("sqlite", new Dictionary<string, string?> { ["ledger_checkpoint_interval"] = "5" });
        var writer = host.Services.GetRequiredService<LedgerWriter>();
        foreach (var i in Enumerable.Range(1, Entries))
        {
            await writer.AppendAsync(new LedgerEntry
            {
                UserName = $"user{i % 3}", UserRoles = "clinician", Action = "read", ResourceType = "Patient", ResourceId = $"p{i}", PatientId = $"p{i}",
                Status = 200, Decision = "permit", Reasons = i % 4 == 0 ? null : "a care relationship links the patient to you", Purpose = "TREAT",
                CareRelationship = "encounter", PrivacyFlags = i % 7, BreakGlass = i % 9 == 0, PrevHash = [], Hash = [],
            });
        }
        await writer.CheckpointNowAsync();
        return host;
    }

    private static async Task<LedgerVerification> VerifyInRangesAsync(VigieTestHost host, List<long>? progress = null)
    {
        var scanner = new SqliteLedgerScanner(host.Store.Location) { ParallelThreshold = 1, Parts = 3 };
        return await host.WithServicesAsync(async sp =>
        {
            var signer = sp.GetRequiredService<LedgerSigner>();
            using var key = signer.PublicKey();
            var reports = new SynchronousProgress(progress);
            return await new LedgerVerifier(sp.GetRequiredService<VigieDbContext>(), scanner).VerifyAsync(key, reports);
        });
    }

    [SkippableFact]
    public async Task An_untouched_ledger_verified_in_ranges_counts_every_entry()
    {
        await using var host = await LedgerAsync();
        var progress = new List<long>();

        var result = await VerifyInRangesAsync(host, progress);

        result.Intact.ShouldBeTrue(result.Message);
        result.Entries.ShouldBe(Entries);
        result.Message.ShouldContain($"{Entries} entries and 6 checkpoints verified");
        progress.ShouldNotBeEmpty();
        progress.Max().ShouldBe(Entries);
    }

    public static TheoryData<string, long, LedgerDamage> Tampering() => new()
    {
        // Inside the second range.
        { "UPDATE audit_ledger SET user_name = 'someone-else' WHERE seq = 14", 14, LedgerDamage.Changed },
        // The first entry of the third range, whose link is checked only when the ranges are joined.
        { "UPDATE audit_ledger SET reasons = NULL WHERE seq = 21", 21, LedgerDamage.Changed },
        // Removed at a joint and the rest renumbered: no gap, and each range is consistent on its own.
        { "DELETE FROM audit_ledger WHERE seq = 21; UPDATE audit_ledger SET seq = seq - 1 WHERE seq > 21", 21, LedgerDamage.Removed },
        // Two entries swapped across the joint of the first and second ranges.
        { "UPDATE audit_ledger SET seq = -10 WHERE seq = 10; UPDATE audit_ledger SET seq = 10 WHERE seq = 11; UPDATE audit_ledger SET seq = 11 WHERE seq = -10", 10, LedgerDamage.Reordered },
        { "DELETE FROM audit_ledger WHERE seq = 30", 30, LedgerDamage.Removed },
    };

    [SkippableTheory]
    [MemberData(nameof(Tampering))]
    public async Task Tampering_is_found_and_named_when_the_ledger_is_verified_in_ranges(string sql, long firstBad, LedgerDamage damage)
    {
        await using var host = await LedgerAsync();
        await LedgerForgery.ExecuteAsync(host, sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var result = await VerifyInRangesAsync(host);

        result.Intact.ShouldBeFalse();
        result.FirstBadSeq.ShouldBe(firstBad, result.Message);
        result.Damage.ShouldBe(damage, result.Message);
    }

    [SkippableFact]
    public async Task A_rewritten_ledger_is_found_by_its_signed_checkpoints_when_verified_in_ranges()
    {
        await using var host = await LedgerAsync();
        await LedgerForgery.RewriteFromAsync(host, 17);

        var result = await VerifyInRangesAsync(host);

        result.Damage.ShouldBe(LedgerDamage.Rewritten, result.Message);
        result.FirstBadSeq.ShouldBe(16); // entries 16–20 lie between the checkpoints at 15 and 20
    }

    /// <summary>Records each report as it is made (<see cref="Progress{T}"/> would post it later, elsewhere).</summary>
    private sealed class SynchronousProgress(List<long>? into) : IProgress<long>
    {
        public void Report(long value)
        {
            if (into is null)
                return;
            lock (into)
                into.Add(value);
        }
    }
}
