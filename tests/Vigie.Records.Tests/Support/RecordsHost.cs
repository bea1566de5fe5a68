using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests.Support;

/// <summary>Helpers over the real web host for the records gateway: users linked to FHIR resources, FHIR requests.</summary>
public static class RecordsHost
{

    public static Task<VigieTestHost> StartAsync(string provider, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["kek"] = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-key-encryption-key-32-bytes")) };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            values[k] = v;
        return VigieTestHost.StartAsync(provider, values);
    }

    public static Task<User> AddUserAsync(this VigieTestHost host, string username, string role, string establishment, string? practitioner = null, string? patient = null,
        string? displayName = null) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<UserAdministration>().AddAsync(
            new UserAdministration.NewUser(username, VigieTestHost.Password, [role], establishment, role == Roles.Clinician ? "physician" : null, displayName, practitioner, patient),
            new Actor("test"), Vigie.Core.Establishments.AccessScope.Everything));

    /// <summary>A client with a bearer token; optional SMART scopes and purpose of use in the token.</summary>
    public static async Task<HttpClient> FhirClientAsync(this VigieTestHost host, string username, string? scope = null, string? purpose = null)
    {
        var response = await host.Client.PostAsJsonAsync("/api/v1/auth/token", new { username, password = VigieTestHost.Password, scope, purpose_of_use = purpose });
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return host.ClientWith(JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!);
    }

    public static StringContent Fhir(string json) => new(json, Encoding.UTF8, "application/fhir+json");

    public static StringContent Fhir(JsonElement json) => Fhir(json.GetRawText());

    public static async Task<(int Status, JsonElement Body)> SendAsync(this HttpClient client, HttpMethod method, string url, string? body = null,
        IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = Fhir(body);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(k, v);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(int Status, JsonElement Body)> GetFhirAsync(this HttpClient client, string url, IDictionary<string, string>? headers = null) =>
        client.SendAsync(HttpMethod.Get, url, null, headers);

    public static async Task<long> LedgerCountAsync(this VigieTestHost host)
    {
        // Entries are committed before a response is sent; nothing to wait for.
        return await host.WithServicesAsync(async sp => (long)await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(sp.GetRequiredService<VigieDbContext>().AuditLedger));
    }

    public static async Task<List<LedgerEntry>> LedgerAsync(this VigieTestHost host) =>
        await host.WithServicesAsync(async sp => await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            sp.GetRequiredService<VigieDbContext>().AuditLedger.OrderBy(e => e.Seq)));

    public static string Issues(this JsonElement outcome) =>
        outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("issue", out var issues)
            ? string.Join(" | ", issues.EnumerateArray().Select(i => i.GetProperty("diagnostics").GetString()))
            : outcome.ToString();

    public static AuthenticationHeaderValue? Auth(this HttpClient client) => client.DefaultRequestHeaders.Authorization;
}
