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
/// fsync on SQLite and without waiting for the WAL flush on PostgreSQL; everything else stays fully durable. A relaxed connection must never go back to the pool
/// relaxed, or a user's next save on it would not be on disk when Vigie says it is.
/// </summary>
public sealed class DerivedWritesTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Derived_writes_relax_durability_for_themselves_only_and_every_pooled_connection_comes_back_full(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var (full, relaxed) = provider == "sqlite" ? ("2", "1") : ("on", "off");
        await c.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            await using (await DerivedWrites.RelaxAsync(db, default))
                (await DurabilityAsync(db.Database.GetDbConnection())).ShouldBe(relaxed);
            await db.Database.OpenConnectionAsync();
            (await DurabilityAsync(db.Database.GetDbConnection())).ShouldBe(full);
            await db.Database.CloseConnectionAsync();
            return 0;
        });

        // Replayable and durable batches through the store, then a pass of alerting and privacy monitoring over them.
        var establishment = await c.Host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<VigieDbContext>().Establishments.SingleAsync(e => e.Code == "CHU-A")).Id);
        var store = c.Host.Services.GetRequiredService<IEventStore>();
        var now = DateTime.UtcNow;
        EventBatch Batch(int i, bool replayable) => CollectionHost.Batch(now, establishment, "labels.derived", replayable ? "replayable" : "durable",
            "test:derived", $"derived:{i}", replayable);
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
                (await DurabilityAsync(db.Database.GetDbConnection())).ShouldBe(full);
            }
        }
        finally
        {
            foreach (var scope in scopes)
                await scope.DisposeAsync();
        }
    }

    /// <summary>SQLite's <c>synchronous</c> (2 full, 1 normal) or PostgreSQL's <c>synchronous_commit</c> on this connection.</summary>
    private static async Task<string> DurabilityAsync(DbConnection connection)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = connection is Microsoft.Data.Sqlite.SqliteConnection ? "PRAGMA synchronous" : "SHOW synchronous_commit";
        return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
