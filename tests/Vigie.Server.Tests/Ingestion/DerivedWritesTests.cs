using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Core.Establishments;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>
/// Derived data (forwarded events, detections, alerts, the privacy index, their cursors) commits without its own
/// fsync on SQLite; everything else stays fully durable. A relaxed connection must never go back to the pool
/// relaxed, or a user's next save on it would not be on disk when Vigie says it is.
/// </summary>
public sealed class DerivedWritesTests
{
    private const long Full = 2;
    private const long Normal = 1;

    [Fact]
    public async Task Derived_writes_relax_durability_for_themselves_only_and_every_pooled_connection_comes_back_full()
    {
        await using var c = await CollectionHost.StartAsync("sqlite");
        await c.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            await using (await DerivedWrites.RelaxAsync(db, default))
                (await SynchronousAsync(db.Database.GetDbConnection())).ShouldBe(Normal);
            await db.Database.OpenConnectionAsync();
            (await SynchronousAsync(db.Database.GetDbConnection())).ShouldBe(Full);
            await db.Database.CloseConnectionAsync();
            return 0;
        });

        // Replayable and durable batches through the store, then a pass of alerting and privacy monitoring over them.
        var establishment = await c.Host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<VigieDbContext>().Establishments.SingleAsync(e => e.Code == "CHU-A")).Id);
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        var now = DateTime.UtcNow;
        EventBatch Batch(int i, bool replayable)
        {
            var doc = new EventDocument { Timestamp = now };
            doc["labels.derived"] = replayable ? "replayable" : "durable";
            doc[EventFields.Timestamp] = now.ToString("O");
            return new EventBatch([new EventToStore(now, establishment, doc)], "test:derived", $"derived:{i}") { Replayable = replayable };
        }
        (await store.AppendAsync([Batch(1, true), Batch(2, true)], default)).ShouldAllBe(stored => stored);
        (await store.AppendAsync([Batch(3, true), Batch(4, false)], default)).ShouldAllBe(stored => stored);
        var pump = c.Host.Services.GetServices<IHostedService>().OfType<AlertPump>().Single();
        await pump.RunOnceAsync(default);

        var counted = await store.CountByEstablishmentAsync(
            new EventSearch(EventQueryParser.Parse("labels.derived:*"), null, null, AccessScope.Everything), default);
        counted[establishment].ShouldBe(4);

        // Every connection the pool hands out now, several at once so that none is left in the pool, is fully durable.
        var scopes = Enumerable.Range(0, 6).Select(_ => c.Host.Services.CreateAsyncScope()).ToList();
        try
        {
            foreach (var scope in scopes)
            {
                var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
                await db.Database.OpenConnectionAsync();
                (await SynchronousAsync(db.Database.GetDbConnection())).ShouldBe(Full);
            }
        }
        finally
        {
            foreach (var scope in scopes)
                await scope.DisposeAsync();
        }
    }

    private static async Task<long> SynchronousAsync(DbConnection connection)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
