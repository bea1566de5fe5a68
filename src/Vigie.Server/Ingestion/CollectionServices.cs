using Vigie.Core.Detection;
using Vigie.Core.Ingestion;
using Vigie.Storage;
using Vigie.Storage.Events;

namespace Vigie.Server.Ingestion;

/// <summary>Collection's services: the event store, the group-commit writer, the in-process sink, outboxes, rules and detection.</summary>
internal static class CollectionServices
{
    /// <summary>What every entry point needs (the web host and the command-line verbs).</summary>
    public static IServiceCollection AddCollection(this IServiceCollection services, StoreLocation store, IConfiguration configuration)
    {
        services.AddEventStore(store);
        services.AddSingleton<IngestStats>();
        var queue = configuration.GetValue<long?>("ingest_queue_events") ?? 50_000;
        services.AddSingleton(sp => new EventWriter(sp.GetRequiredService<Core.Events.IEventStore>(), sp.GetRequiredService<IngestStats>(),
            sp.GetRequiredService<ILogger<EventWriter>>(), Math.Max(1_000, queue)));
        services.AddSingleton<EventSink>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<EventSink>());
        services.AddSingleton<IEventOutbox, SecurityEventOutbox>();
        services.AddSingleton<IEventOutbox, Vigie.Core.Audit.LedgerOutbox>();
        services.AddScoped<RuleLibrary>();
        services.AddSingleton<StreamDetector>();
        return services;
    }

    /// <summary>What only <c>serve</c> runs: detection, forwarding of outboxes, retention, syslog listeners.</summary>
    public static IServiceCollection AddCollectionHosting(this IServiceCollection services)
    {
        services.AddSingleton<SyslogListeners>();
        services.AddHostedService(sp => sp.GetRequiredService<SyslogListeners>());
        services.AddHostedService<DetectionService>();
        services.AddHostedService<OutboxForwarder>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
