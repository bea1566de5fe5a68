using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Hosting;
using Vigie.Storage;

namespace Vigie.Server.Tests.Support;

/// <summary>
/// Vigie's real web host on Kestrel, on a free loopback port, over a test store. Requests go through
/// real HTTP, so body limits, headers and authentication behave as in production.
/// </summary>
public sealed class VigieTestHost : IAsyncDisposable
{
    public const string Password = "correct-horse-battery";

    private readonly WebApplication _app;

    private VigieTestHost(WebApplication app, TestStore store, CapturingLoggerProvider logs, Uri address)
    {
        _app = app;
        Store = store;
        Logs = logs;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public TestStore Store { get; }
    public CapturingLoggerProvider Logs { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<VigieTestHost> StartAsync(string provider, IDictionary<string, string?>? settings = null)
    {
        var store = await TestStore.CreateAsync(provider);
        var values = new Dictionary<string, string?>
        {
            // Tests hash with fewer iterations: the algorithm is the same, the suite is faster.
            ["password_hash_iterations"] = "1000",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new CapturingLoggerProvider();
        var app = VigieApp.Build(new VigieHostOptions
        {
            Store = store.Location,
            Configuration = configuration,
            Urls = ["http://127.0.0.1:0"],
            ExtraLogger = logs,
            ConsoleLogging = false,
        });
        await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new VigieTestHost(app, store, logs, new Uri(address));
    }

    /// <summary>Runs <paramref name="work"/> with Vigie's services in a scope, as a command-line verb would.</summary>
    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>A national centre, two regions and an establishment in each: the smallest tree that shows scoping.</summary>
    public async Task SeedHierarchyAsync()
    {
        await WithServicesAsync(async sp =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            var actor = new Actor("test");
            await registry.AddAsync(new("NAT", "National", "national", null), actor);
            await registry.AddAsync(new("REG-A", "Region A", "region", "NAT"), actor);
            await registry.AddAsync(new("REG-B", "Region B", "region", "NAT"), actor);
            await registry.AddAsync(new("CHU-A", "CHU A", "chu", "REG-A"), actor);
            await registry.AddAsync(new("HOSP-B", "Hospital B", "hospital", "REG-B"), actor);
            return true;
        });
    }

    public Task<User> AddUserAsync(string username, string role, string? establishment = null, string password = Password) =>
        WithServicesAsync(sp => sp.GetRequiredService<UserAdministration>().AddAsync(
            new UserAdministration.NewUser(username, password, [role], establishment), new Actor("test"), AccessScope.Everything));

    public async Task<HttpResponseMessage> RequestTokenAsync(string username, string password = Password, string? totp = null) =>
        await Client.PostAsJsonAsync("/api/v1/auth/token", new { username, password, totp });

    public async Task<string> TokenAsync(string username, string password = Password, string? totp = null)
    {
        var response = await RequestTokenAsync(username, password, totp);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"token request for {username} failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A client that presents <paramref name="token"/> as a bearer token.</summary>
    public HttpClient ClientWith(string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> SignedInAsync(string username) => ClientWith(await TokenAsync(username));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Store.DisposeAsync();
    }
}
