using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Hosting;
using Vigie.Server.Tests.Support;
using Vigie.Storage;

namespace Vigie.Response.Tests.Helpers;

/// <summary>Vigie's services over a fresh store, as a command-line verb builds them, with the test's own clock and settings.</summary>
public sealed class ServiceScope : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private ServiceScope(ServiceProvider provider, TestStore store)
    {
        _provider = provider;
        Store = store;
    }

    public TestStore Store { get; }

    public static async Task<ServiceScope> CreateAsync(string provider, TimeProvider time, IDictionary<string, string?>? settings = null)
    {
        var store = await TestStore.CreateAsync(provider);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddVigieCore(store.Location, configuration);
        var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<SchemaMigrator>().MigrateAsync();
        var result = new ServiceScope(sp, store);
        await result.RunAsync(async s =>
        {
            var registry = s.GetRequiredService<EstablishmentRegistry>();
            var actor = new Actor("test");
            await registry.AddAsync(new("NAT", "National", "national", null), actor);
            await registry.AddAsync(new("REG-A", "Region A", "region", "NAT"), actor);
            await registry.AddAsync(new("CHU-A", "CHU A", "chu", "REG-A"), actor);
            await registry.AddAsync(new("HOSP-A2", "Hospital A2", "hospital", "REG-A"), actor);
            return true;
        });
        return result;
    }

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await Store.DisposeAsync();
    }
}
