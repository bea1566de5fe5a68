using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>A running Vigie with the test hierarchy, a collector on CHU-A and one on HOSP-B, and people of every scope.</summary>
internal sealed class CollectionHost : IAsyncDisposable
{
    private CollectionHost(VigieTestHost host) => Host = host;

    public VigieTestHost Host { get; }
    public string KeyA { get; private set; } = "";
    public string KeyB { get; private set; } = "";
    public HttpClient Admin { get; private set; } = null!;

    public static async Task<CollectionHost> StartAsync(string provider, IDictionary<string, string?>? settings = null)
    {
        var host = await VigieTestHost.StartAsync(provider, settings);
        var c = new CollectionHost(host);
        await host.SeedHierarchyAsync();
        c.KeyA = await c.AddCollectorAsync("fw-a", "CHU-A");
        c.KeyB = await c.AddCollectorAsync("fw-b", "HOSP-B");
        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        await host.AddUserAsync("rssi.a", Roles.SecurityOfficer, "REG-A");
        await host.AddUserAsync("rssi.b", Roles.SecurityOfficer, "REG-B");
        c.Admin = await host.SignedInAsync("admin");
        return c;
    }

    public Task<string> AddCollectorAsync(string name, string establishment) => Host.WithServicesAsync(async sp =>
        (await sp.GetRequiredService<CollectorRegistry>().AddAsync(name, establishment, new Actor("test"), AccessScope.Everything)).Key);

    public HttpClient CollectorClient(string key)
    {
        var client = new HttpClient { BaseAddress = Host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    public async Task<HttpResponseMessage> IngestAsync(string key, string ndjson, string? idempotencyKey = null)
    {
        using var client = CollectorClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson") };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> SearchAsync(HttpClient client, string query, string extra = "")
    {
        var response = await client.GetAsync($"/api/v1/events?q={Uri.EscapeDataString(query)}{extra}");
        var body = await response.ReadAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"search '{query}': {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>A one-event batch straight for the event store: the event carries one label, the batch a key.</summary>
    public static EventBatch Batch(DateTime time, Guid establishment, string label, string value, string collector, string? key, bool replayable = false)
    {
        var doc = new EventDocument { Timestamp = time };
        doc[label] = value;
        doc[EventFields.Timestamp] = time.ToString("O");
        return new EventBatch([new EventToStore(time, establishment, doc)], collector, key) { Replayable = replayable };
    }

    public static string Lines(params object[] events) => string.Join('\n', events.Select(e => JsonSerializer.Serialize(e)));

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await Host.DisposeAsync();
    }
}
