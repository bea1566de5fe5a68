using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;
using Vigie.Storage;

namespace Vigie.Records.Tests;

/// <summary>
/// <c>ledger_acknowledge=queued</c>: reads are answered once their ledger entry is queued, up to
/// <c>ledger_queue_limit</c> entries ahead of the commits; writes and reads under break-the-glass still wait for
/// theirs; no queued entry is lost when a commit fails, and while it fails nobody is answered ahead of the ledger.
/// </summary>
public sealed class LedgerQueuedTests
{
    private static Task<VigieTestHost> StartAsync(string provider, int limit) =>
        RecordsHost.StartAsync(provider, new Dictionary<string, string?> { ["ledger_acknowledge"] = "queued", ["ledger_queue_limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Holds the lock the ledger's writer takes for every batch: SQLite's write lock, or the writer's advisory lock.</summary>
    private static async Task<DbConnection> HoldLedgerLockAsync(VigieTestHost host)
    {
        var connection = await LedgerForgery.OpenAsync(host);
        await LedgerForgery.ExecuteAsync(connection, host.Store.Location.Provider == StoreProvider.Sqlite ? "BEGIN IMMEDIATE" : $"SELECT pg_advisory_lock({LedgerWriter.AdvisoryLockKey})");
        return connection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 300 && !condition(); i++)
            await Task.Delay(100);
        condition().ShouldBeTrue(what);
    }

    private static Task<List<(string Action, string? ResourceId)>> LedgerAsync(VigieTestHost host) =>
        host.WithServicesAsync(async sp => (await sp.GetRequiredService<VigieDbContext>().AuditLedger.AsNoTracking().OrderBy(e => e.Seq)
            .Select(e => new { e.Action, e.ResourceId }).ToListAsync()).Select(e => (e.Action, e.ResourceId)).ToList());

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Reads_are_answered_while_the_ledger_waits_up_to_the_limit_but_writes_and_break_the_glass_wait_for_their_entry(string provider)
    {
        await using var host = await StartAsync(provider, limit: 1);
        var ward = await Ward.AdmitAsync(host);
        var writer = host.Services.GetRequiredService<LedgerWriter>();
        // Dr Berrada breaks the glass once (that read waits for its entry, as it grants access)…
        (await ward.Berrada.SendAsync(HttpMethod.Get, $"/fhir/Patient/{ward.PatientId}", headers: Ward.BreakTheGlass)).Status.ShouldBe(200);
        var before = (await LedgerAsync(host)).Count;

        Task<(int Status, System.Text.Json.JsonElement Body)> second, create, glass;
        await using (var held = await HoldLedgerLockAsync(host))
        {
            // … and every later read under break-the-glass waits for its entry too, taking no place in the queue.
            glass = ward.Berrada.SendAsync(HttpMethod.Get, $"/fhir/Patient/{ward.PatientId}", headers: Ward.BreakTheGlass);
            await WaitUntilAsync(() => writer.Waiting == 1 || glass.IsCompleted, "the read under break-the-glass reached the ledger");
            glass.IsCompleted.ShouldBeFalse("a read under break-the-glass was answered before its entry was committed");
            writer.Queued.ShouldBe(0, "a read under break-the-glass took a place in the queue");
            using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var (status, body) = await ward.Amrani.SendAsync(HttpMethod.Get, $"/fhir/Patient/{ward.PatientId}").WaitAsync(soon.Token);
            status.ShouldBe(200, body.ToString());
            writer.Queued.ShouldBe(1);

            // The limit is reached: the next read waits for the ledger, as does a write whatever the limit.
            second = ward.Amrani.SendAsync(HttpMethod.Get, $"/fhir/Encounter/{ward.EncounterId}");
            create = ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation",
                $$$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},"subject":{"reference":"Patient/{{{ward.PatientId}}}"},"valueQuantity":{"value":37.2,"unit":"Cel","system":"http://unitsofmeasure.org","code":"Cel"}}""");
            await Task.Delay(1000);
            glass.IsCompleted.ShouldBeFalse("a read under break-the-glass was answered before its entry was committed");
            second.IsCompleted.ShouldBeFalse("a read past the queue's limit was answered before its entry was committed");
            create.IsCompleted.ShouldBeFalse("a write was answered before its entry was committed");
            (await LedgerAsync(host)).Count.ShouldBe(before);
            await LedgerForgery.ExecuteAsync(held, host.Store.Location.Provider == StoreProvider.Sqlite ? "ROLLBACK" : $"SELECT pg_advisory_unlock({LedgerWriter.AdvisoryLockKey})");
        }

        (await second).Status.ShouldBe(200);
        (await create).Status.ShouldBe(201);
        (await glass).Status.ShouldBe(200);
        await WaitUntilAsync(() => writer.Queued == 0, "the queued entry was committed");
        writer.Waiting.ShouldBe(0, "every caller that waited for its entry was answered");
        var entries = (await LedgerAsync(host)).Skip(before).ToList();
        entries.Select(e => e.Action).ShouldBe(["read", "read", "create", "read"], ignoreOrder: true);
        entries.Count(e => e == ("read", ward.PatientId)).ShouldBe(2, "the two reads of the patient, each recorded once");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Queued_entries_outlive_a_failing_ledger_and_nobody_is_answered_ahead_of_it_meanwhile(string provider)
    {
        await using var host = await StartAsync(provider, limit: 100);
        var ward = await Ward.AdmitAsync(host);
        var writer = host.Services.GetRequiredService<LedgerWriter>();
        var before = (await LedgerAsync(host)).Count;
        static LedgerEntry Read(string id) => LedgerForgery.Read("dr.amrani", id);
        await writer.AppendAsync(Read("p0"));
        await using var admin = await LedgerForgery.OpenAsync(host);
        await LedgerForgery.ExecuteAsync(admin, "ALTER TABLE audit_ledger RENAME TO audit_ledger_away");

        foreach (var id in new[] { "p1", "p2", "p3" })
            writer.AppendAsync(Read(id), mayQueue: true).IsCompletedSuccessfully.ShouldBeTrue("a read's entry within the limit is answered at once");
        await WaitUntilAsync(() => writer.Failing, "the writer noticed the failure");
        writer.Queued.ShouldBe(3);

        // While the ledger fails, a read is not answered ahead of it: its caller gets the error, a clinician a 503.
        await Should.ThrowAsync<LedgerUnavailableException>(writer.AppendAsync(Read("refused"), mayQueue: true));
        var (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Get, $"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(503);
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        outcome.GetRawText().ShouldContain("audit ledger");

        await LedgerForgery.ExecuteAsync(admin, "ALTER TABLE audit_ledger_away RENAME TO audit_ledger");
        await WaitUntilAsync(() => writer.Queued == 0 && !writer.Failing, "the kept entries were committed once the ledger was back");
        await writer.AppendAsync(Read("p4"));
        writer.Waiting.ShouldBe(0, "the refused caller and p4's were both answered");

        (await LedgerAsync(host)).Skip(before).Select(e => e.ResourceId).ShouldBe(["p0", "p1", "p2", "p3", "p4"]);
        await writer.CheckpointNowAsync();
        var verification = await host.WithServicesAsync(sp => sp.GetRequiredService<LedgerVerifier>().VerifyAsync(sp.GetRequiredService<LedgerSigner>().PublicKey()));
        verification.Intact.ShouldBeTrue(verification.Message);
    }
}
