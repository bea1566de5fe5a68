using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Vigie.Core.Audit;
using Vigie.Core.Patients;
using Vigie.Core.Records;
using Vigie.Storage;

namespace Vigie.Server.Fhir;

/// <summary>The records gateway's services: keys, ledger, policy, store, decisions, gateway, import.</summary>
internal static class RecordsServices
{
    public static IServiceCollection AddVigieRecords(this IServiceCollection services, StoreLocation store, IConfiguration configuration)
    {
        var keyFolder = Path.Combine(store.DataDirectory, "keys");
        services.AddMemoryCache();
        services.AddSingleton(new KeyEncryptionKeySource(configuration["kek"], configuration["kek_file"],
            store.Provider == StoreProvider.Sqlite ? Path.Combine(keyFolder, "records.kek") : null));
        services.AddSingleton<RecordKeyring>();
        services.AddSingleton<AccessFactsCache>();
        services.AddSingleton(new LedgerSigner(keyFolder));
        var queuedLimit = QueuedLimit(configuration); // read now, so that a wrong value stops start-up
        services.AddSingleton(sp => new LedgerWriter(sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<LedgerSigner>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LedgerWriter>>())
        {
            CheckpointInterval = configuration.GetValue<int?>("ledger_checkpoint_interval") ?? 1000,
            ConnectionOpened = store.Provider == StoreProvider.Sqlite ? Vigie.Storage.Records.SqliteLedgerConnection.Apply : null,
            ConnectionClosing = store.Provider == StoreProvider.Sqlite ? Vigie.Storage.Records.SqliteLedgerConnection.Restore : null,
            QueuedLimit = queuedLimit,
        });
        services.AddSingleton(_ => configuration["policy"] is { Length: > 0 } file ? AccessPolicy.Load(file) : AccessPolicy.BuiltIn);
        services.AddScoped<PatientIndex>();
        services.AddScoped<FhirResourceStore>();
        services.AddScoped<FhirSearch>();
        services.AddScoped<AccessDecider>();
        services.AddScoped<RecordGateway>();
        if (store.Provider == StoreProvider.Sqlite)
        {
            services.AddSingleton<ILedgerScanner>(new Vigie.Storage.Records.SqliteLedgerScanner(store));
            services.AddSingleton<ICurrentResourceReader>(_ => new Vigie.Storage.Records.SqliteCurrentResourceReader(store));
        }
        else
        {
            services.AddSingleton<ICurrentResourceReader>(new Vigie.Storage.Records.PostgresCurrentResourceReader(store));
        }
        services.AddScoped(sp => new LedgerVerifier(sp.GetRequiredService<Vigie.Core.Data.VigieDbContext>(), sp.GetService<ILedgerScanner>()));
        services.AddScoped<RecordImporter>();
        services.AddScoped<LedgerEvents>();
        services.AddScoped<DuplicateFinder>();
        services.AddScoped<PatientMerge>();
        // identity_registry: an http(s) URL (the national registry's adapter) or the path of a local JSON registry.
        if (configuration["identity_registry"] is { Length: > 0 } registry)
        {
            if (registry.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || registry.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                services.AddSingleton<INationalIdentityRegistry>(new HttpIdentityRegistry(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new Uri(registry.TrimEnd('/') + "/")));
            else
                services.AddSingleton<INationalIdentityRegistry>(new LocalIdentityRegistry(Path.GetFullPath(registry)));
        }
        services.AddScoped(sp => new IdentityVerification(sp.GetRequiredService<Vigie.Core.Data.VigieDbContext>(), sp.GetRequiredService<FhirResourceStore>(),
            sp.GetRequiredService<RecordKeyring>(), sp.GetRequiredService<LedgerWriter>(), sp.GetService<INationalIdentityRegistry>()));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, FhirAuthorizationResultHandler>();
        return services;
    }

    /// <summary>
    /// <c>ledger_acknowledge</c>: <c>committed</c> (the default: every answer waits for its ledger entry's commit) or
    /// <c>queued</c> (reads are answered once their entry is queued, at most <c>ledger_queue_limit</c> entries ahead
    /// of the commits, 10,000 by default).
    /// </summary>
    public static int QueuedLimit(IConfiguration configuration)
    {
        switch (configuration["ledger_acknowledge"])
        {
            case null or "" or "committed":
                return 0;
            case "queued":
                var limit = configuration["ledger_queue_limit"];
                if (limit is null)
                    return 10_000;
                return int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1_000_000
                    ? n
                    : throw new Cli.CliException($"ledger_queue_limit: '{limit}' is not a number of entries from 1 to 1000000", Cli.ExitCodes.Usage);
            case var other:
                throw new Cli.CliException($"ledger_acknowledge: '{other}' is neither 'committed' nor 'queued'", Cli.ExitCodes.Usage);
        }
    }
}
