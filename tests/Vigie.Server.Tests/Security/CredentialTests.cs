using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Credentials as an attacker would hold them: the token of a user since disabled, or whose roles were changed,
/// or whose account expired; a token forged or altered; a revoked collector key; a collector key claiming another
/// establishment in what it sends.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class CredentialTests(SecurityWorlds worlds)
{
    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path) => (await (await client.GetAsync(path)).ReadAllAsync()).Status;

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_disabled_users_token_opens_nothing_any_more(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var name = $"leaver.{provider}";
        await w.AddUserAsync(name, Roles.SecurityOfficer, w.A.Code);
        using var leaver = w.Host.ClientWith(await w.Host.TokenAsync(name));
        (await StatusAsync(leaver, "/api/v1/alerts/")).ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(leaver, "/fhir/AuditEvent?_count=1")).ShouldBe(HttpStatusCode.OK);

        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        (await admin.PostAsync($"/api/v1/users/{name}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var path in new[] { "/api/v1/alerts/", "/api/v1/me/", $"/api/v1/incidents/{w.A.Incident}", "/fhir/AuditEvent?_count=1", "/api/v1/events" })
            (await StatusAsync(leaver, path)).ShouldBe(HttpStatusCode.Unauthorized, path);
        (await w.Host.RequestTokenAsync(name)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_token_issued_before_a_role_change_stops_working_and_a_new_one_carries_the_new_roles(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var name = $"moved.{provider}";
        await w.AddUserAsync(name, Roles.SecurityOfficer, w.A.Code);
        using var before = w.Host.ClientWith(await w.Host.TokenAsync(name));
        (await StatusAsync(before, $"/api/v1/alerts/{w.A.SecurityAlert}")).ShouldBe(HttpStatusCode.OK);

        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        (await admin.PutAsJsonAsync($"/api/v1/users/{name}/roles", new { roles = new[] { Roles.Clinician } })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StatusAsync(before, $"/api/v1/alerts/{w.A.SecurityAlert}")).ShouldBe(HttpStatusCode.Unauthorized);

        using var after = w.Host.ClientWith(await w.Host.TokenAsync(name));
        (await StatusAsync(after, $"/api/v1/alerts/{w.A.SecurityAlert}")).ShouldBe(HttpStatusCode.Forbidden);
        var me = await (await after.GetAsync("/api/v1/me/")).ReadAsync();
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.Clinician]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_account_past_its_expiry_is_refused_even_with_a_token_issued_before(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var name = $"partner.shortlived.{provider}";
        await w.Host.WithServicesAsync(sp => sp.GetRequiredService<UserAdministration>().AddAsync(
            new UserAdministration.NewUser(name, VigieTestHost.Password, [Roles.SecurityOfficer], w.A.Code, ExpiresAt: DateTime.UtcNow.AddSeconds(3)),
            new Actor("test"), AccessScope.Everything));
        using var client = w.Host.ClientWith(await w.Host.TokenAsync(name));
        (await StatusAsync(client, "/api/v1/alerts/")).ShouldBe(HttpStatusCode.OK);
        // The session check is cached for 30 seconds, but the expiry is compared on every request.
        await Task.Delay(TimeSpan.FromSeconds(4));
        (await StatusAsync(client, "/api/v1/alerts/")).ShouldBe(HttpStatusCode.Unauthorized);
        (await w.Host.RequestTokenAsync(name)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private static string Forge(string token, Func<Dictionary<string, object>, Dictionary<string, object>> change, ECDsa? key = null)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload = change(payload);
        if (key is null)
            return $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
        var claims = payload.Where(p => p.Key is not ("exp" or "nbf" or "iat" or "iss" or "aud"))
            .SelectMany(p => p.Value is JsonElement { ValueKind: JsonValueKind.Array } array
                ? array.EnumerateArray().Select(v => new Claim(p.Key, v.ToString()))
                : [new Claim(p.Key, p.Value.ToString()!)]);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "vigie", Audience = "vigie-api", Subject = new ClaimsIdentity(claims), Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_token_altered_to_another_establishment_or_role_or_signed_by_another_key_is_refused(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var token = await w.Host.TokenAsync(w.A.SecurityOfficer);
        var national = await w.Host.WithServicesAsync(async sp =>
            (await sp.GetRequiredService<EstablishmentRegistry>().FindAsync("NAT"))!.Id.ToString());
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgeries = new Dictionary<string, string>
        {
            ["establishment changed to the national centre"] = Forge(token, p => { p["est"] = national; return p; }),
            ["role changed to admin"] = Forge(token, p => { p["role"] = Roles.Admin; return p; }),
            ["re-signed with another key"] = Forge(token, p => { p["est"] = national; return p; }, other),
            ["unsigned (alg none)"] = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{token.Split('.')[1]}.",
        };
        foreach (var (what, forged) in forgeries)
        {
            using var client = new HttpClient { BaseAddress = w.Host.Address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
            var (status, body) = await (await client.GetAsync($"/api/v1/alerts/{w.B.SecurityAlert}")).ReadAllAsync();
            status.ShouldBe(HttpStatusCode.Unauthorized, $"{what}: {body}");
            body.ShouldHoldNothingOf(w.B, what);
            (await client.GetAsync($"/fhir/AuditEvent/{w.B.AuditEventSeq}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, what);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_revoked_collector_key_sends_nothing_more(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var name = $"fw-retired-{provider}";
        var key = await w.AddCollectorAsync(name, w.A.Code);
        using var collector = w.CollectorClient(key);
        var line = JsonSerializer.Serialize(new Dictionary<string, object> { ["message"] = "still here", ["event.action"] = "retired-collector-test" });
        (await collector.PostAsync("/api/v1/ingest", new StringContent(line, Encoding.UTF8, "application/x-ndjson"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        (await admin.PostAsync($"/api/v1/collectors/{name}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await collector.PostAsync("/api/v1/ingest", new StringContent(line, Encoding.UTF8, "application/x-ndjson"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await collector.PostAsync("/api/v1/privacy/events", new StringContent("{}", Encoding.UTF8, "application/x-ndjson"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_collector_cannot_file_events_under_another_establishment(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var marker = $"planted-{provider}-{Guid.NewGuid():N}";
        using var collector = w.CollectorClient(w.A.CollectorKey);
        var line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["message"] = "an event claiming to be the other hospital's", ["event.action"] = marker,
            ["organization.id"] = w.B.Code,
        });
        (await collector.PostAsync("/api/v1/ingest", new StringContent(line, Encoding.UTF8, "application/x-ndjson"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var own = await w.ClientAsync(w.A.SecurityOfficer);
        using var theirs = await w.ClientAsync(w.B.SecurityOfficer);
        var query = $"/api/v1/events?q={Uri.EscapeDataString("event.action:" + marker)}";
        JsonElement found = default;
        for (var i = 0; i < 100; i++)
        {
            found = await (await own.GetAsync(query)).ReadAsync();
            if (found.GetProperty("total").GetInt64() > 0)
                break;
            await Task.Delay(200);
        }
        found.GetProperty("total").GetInt64().ShouldBe(1, "the event is filed under the key's establishment");
        found.GetProperty("events")[0].GetProperty("organization.id").GetString().ShouldBe(w.A.Code);
        (await (await theirs.GetAsync(query)).ReadAsync()).GetProperty("total").GetInt64().ShouldBe(0);

        // Record-access events for privacy monitoring: the organization must be the key's establishment or under it.
        var access = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@timestamp"] = DateTime.UtcNow.ToString("O"), ["event.dataset"] = "vigie.records", ["event.action"] = "read",
            ["user.name"] = "dr.planted", ["organization.id"] = w.B.Code, ["vigie.patient.id"] = "pp_planted",
        });
        var (status, body) = await (await collector.PostAsync("/api/v1/privacy/events", new StringContent(access, Encoding.UTF8, "application/x-ndjson"))).ReadAllAsync();
        status.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain("line 1");
    }
}
