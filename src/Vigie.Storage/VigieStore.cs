using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;

namespace Vigie.Storage;

/// <summary>Registers Vigie's data context on the store's provider, chosen at run time.</summary>
public static class VigieStore
{
    public static IServiceCollection AddVigieStore(this IServiceCollection services, StoreLocation store)
    {
        services.AddSingleton(store);
        services.AddSingleton(new SchemaMigrator(store));
        // Pooled contexts: building a context and its internal services for each request took 15 to 40 % of the CPU a
        // FHIR read or search spends in its own code (perf, bench/fhir/run.sh); a context returns to the pool with its
        // change tracker and connection state reset.
        services.AddDbContextPool<VigieDbContext>(options => Configure(options, store));
        return services;
    }

    public static void Configure(DbContextOptionsBuilder options, StoreLocation store)
    {
        switch (store.Provider)
        {
            case StoreProvider.Sqlite:
                options.UseSqlite(store.ConnectionString);
                options.AddInterceptors(SqlitePragmas.Instance);
                break;
            case StoreProvider.Postgres:
                options.UseNpgsql(store.ConnectionString, o => o.EnableRetryOnFailure(3));
                break;
            default:
                throw new InvalidOperationException($"unknown store provider {store.Provider}");
        }
        options.UseQueryTrackingBehavior(QueryTrackingBehavior.TrackAll);
    }

    public static VigieDbContext CreateContext(StoreLocation store)
    {
        var builder = new DbContextOptionsBuilder<VigieDbContext>();
        Configure(builder, store);
        return new VigieDbContext(builder.Options);
    }

    /// <summary>Per-connection SQLite settings: durable commits in WAL mode and a wait, not an error, when another writer holds the lock.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string ConnectionPragmas = "PRAGMA synchronous=FULL; " + SqliteWaits.BusyTimeoutPragma + " PRAGMA foreign_keys=ON;";

        public static readonly SqlitePragmas Instance = new();

        // The settings belong to the native connection, which the pool keeps open: applied once per native connection,
        // not on every open (three statements before each query otherwise).
        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _applied = new();

        private bool Applied(DbConnection connection) =>
            connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } && _applied.TryGetValue(handle, out _);

        private void Remember(DbConnection connection)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle })
                _applied.AddOrUpdate(handle, this);
        }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (Applied(connection))
                return;
            using var cmd = connection.CreateCommand();
            cmd.CommandText = ConnectionPragmas;
            cmd.ExecuteNonQuery();
            Remember(connection);
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (Applied(connection))
                return;
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = ConnectionPragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            Remember(connection);
        }
    }
}
