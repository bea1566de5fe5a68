using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Events;

namespace Vigie.Storage.Events;

/// <summary>Registers the event store of the store's provider.</summary>
public static class EventStores
{
    public static IServiceCollection AddEventStore(this IServiceCollection services, StoreLocation store)
    {
        services.AddSingleton<IEventStore>(Create(store));
        return services;
    }

    public static IEventStore Create(StoreLocation store) => store.Provider switch
    {
        StoreProvider.Sqlite => new SqliteEventStore(store),
        StoreProvider.Postgres => new PostgresEventStore(store),
        _ => throw new InvalidOperationException($"unknown store provider {store.Provider}"),
    };

    /// <summary>On PostgreSQL, drops whole day partitions older than every establishment's retention; elsewhere nothing.</summary>
    public static Task<int> DropExpiredPartitionsAsync(IEventStore events, DateTime cutoff, CancellationToken ct) =>
        events is PostgresEventStore pg ? pg.DropPartitionsBeforeAsync(cutoff, ct) : Task.FromResult(0);
}
