using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Fhir;
using Vigie.Server.Identity;
using Vigie.Storage;

namespace Vigie.Server.Hosting;

/// <summary>The services every entry point needs (web host and command-line verbs alike).</summary>
internal static class VigieServices
{
    public static IServiceCollection AddVigieCore(this IServiceCollection services, StoreLocation store, IConfiguration configuration)
    {
        services.AddVigieStore(store);
        services.TryAddSingleton(TimeProvider.System);
        var iterations = configuration.GetValue<int?>("password_hash_iterations") ?? PasswordHashing.DefaultIterations;
        services.AddSingleton(new PasswordHashing(Math.Max(1000, iterations)));
        services.AddSingleton(new KeyFolder(store.DataDirectory));
        services.AddDataProtection()
            .SetApplicationName("vigie")
            .PersistKeysToFileSystem(new DirectoryInfo(KeyFolder.Ensure(Path.Combine(store.DataDirectory, "keys", "data-protection"))));
        services.Configure<LdapOptions>(configuration.GetSection("ldap"));
        services.AddSingleton<IDirectoryAuthenticator, LdapDirectory>();
        services.AddScoped<SecurityEventWriter>();
        services.AddScoped<EstablishmentRegistry>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<CollectorRegistry>();
        services.AddScoped<SignInService>();
        services.AddScoped<TotpEnrolment>();
        services.AddVigieRecords(store, configuration);
        Ingestion.CollectionServices.AddCollection(services, store, configuration);
        services.AddVigieResponse(configuration, store.DataDirectory);
        return services;
    }
}
