using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Core.Establishments;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>
/// While the ledger's writer waits for SQLite's write lock, the event store commits a group of keyed batches in
/// parts. Whatever the split, every event is stored once, and a group sent again (the writer's retry after a
/// failure) is recognised batch by batch instead of stored twice.
/// </summary>
public sealed class LedgerCourtesyTests
{
    [Fact]
    public async Task Keyed_batches_split_for_a_waiting_ledger_are_stored_once_and_recognised_when_sent_again()
    {
        await using var c = await CollectionHost.StartAsync("sqlite");
        var establishment = await c.Host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<VigieDbContext>().Establishments.SingleAsync(e => e.Code == "CHU-A")).Id);
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        var now = DateTime.UtcNow;
        var batches = Enumerable.Range(0, 400)
            .Select(i => CollectionHost.Batch(now, establishment, "labels.courtesy", "yes", "test:courtesy", $"courtesy:{i}")).ToList();

        // The ledger's writer keeps finding the lock taken for the whole append.
        using var stop = new CancellationTokenSource();
        var waiting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                LedgerLockWaits.Note();
                await Task.Delay(1);
            }
        });
        IReadOnlyList<bool> first, second;
        try
        {
            first = await store.AppendAsync(batches, default);
            second = await store.AppendAsync(batches, default);
        }
        finally
        {
            await stop.CancelAsync();
            await waiting;
        }

        first.ShouldAllBe(stored => stored);
        second.ShouldAllBe(stored => !stored);
        var counted = await store.CountByEstablishmentAsync(
            new EventSearch(EventQueryParser.Parse("labels.courtesy:yes"), null, null, AccessScope.Everything), default);
        counted[establishment].ShouldBe(400);
    }
}
