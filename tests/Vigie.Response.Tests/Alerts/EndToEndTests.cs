using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Detection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Response.Tests.Alerts;

/// <summary>Events sent by a collector, detected on the stream, grouped into alerts; record accesses through privacy monitoring.</summary>
public sealed class EndToEndTests
{
    private static async Task<List<JsonElement>> WaitForAlertsAsync(HttpClient client, string query, Func<List<JsonElement>, bool> done)
    {
        var items = new List<JsonElement>();
        for (var i = 0; i < 150; i++)
        {
            items = (await (await client.GetAsync("/api/v1/alerts?" + query)).ReadAsync()).GetProperty("items").EnumerateArray().ToList();
            if (done(items))
                break;
            await Task.Delay(200);
        }
        return items;
    }

    private static async Task<HttpResponseMessage> IngestAsync(VigieTestHost host, string key, IEnumerable<Dictionary<string, object?>> events)
    {
        using var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var body = string.Join('\n', events.Select(e => JsonSerializer.Serialize(e)));
        return await client.PostAsync("/api/v1/ingest", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Detections_on_the_stream_become_grouped_alerts_and_record_accesses_privacy_alerts(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        var key = await host.WithServicesAsync(async sp => (await sp.GetRequiredService<CollectorRegistry>().AddAsync("fw-a", "CHU-A", new Actor("test"), AccessScope.Everything)).Key);
        var folder = TestEnvironment.NewTempDirectory("vigie-rules");
        var ruleId = Guid.NewGuid().ToString();
        await File.WriteAllTextAsync(Path.Combine(folder, "probe.yml"), $"""
            title: Password spraying probe
            id: {ruleId}
            status: test
            logsource:
                product: vigie-test
            detection:
                selection:
                    event.action: spray-test
                condition: selection
            level: high
            tags:
                - attack.credential-access
                - attack.t1110.003
            """);
        (await host.WithServicesAsync(sp => sp.GetRequiredService<RuleLibrary>().ImportAsync([folder]))).Added.ShouldBe(1);

        var now = DateTime.UtcNow;
        var probes = Enumerable.Range(0, 3).Select(i => new Dictionary<string, object?>
        {
            ["@timestamp"] = now.AddSeconds(-30 + i).ToString("O"),
            ["event.action"] = "spray-test",
            ["user.name"] = "admin.backup",
            ["source.ip"] = "198.51.100.23",
        });
        var access = new Dictionary<string, object?>
        {
            ["@timestamp"] = now.ToString("O"),
            ["event.dataset"] = "vigie.records",
            ["event.action"] = "read",
            ["user.name"] = "nurse.sara",
            ["organization.id"] = "CHU-A",
            ["vigie.patient.id"] = "NHI-77",
            ["vigie.access.decision"] = "permit",
            ["vigie.privacy.care_relationship"] = "none",
            ["vigie.privacy.vip"] = true,
        };
        (await IngestAsync(host, key, [.. probes, access])).IsSuccessStatusCode.ShouldBeTrue();

        using var analyst = await host.SignedInAsync("analyst");
        var security = await WaitForAlertsAsync(analyst, "category=security", items => items.Any(a => a.GetProperty("count").GetInt32() == 3));
        var alert = security.Single(a => a.GetProperty("rule_id").GetString() == ruleId);
        alert.GetProperty("count").GetInt32().ShouldBe(3);
        alert.GetProperty("establishment").GetString().ShouldBe("CHU-A");
        alert.GetProperty("entity").GetString().ShouldBe("user:admin.backup");
        alert.GetProperty("techniques")[0].GetProperty("id").GetString().ShouldBe("T1110.003");
        var detail = await (await analyst.GetAsync($"/api/v1/alerts/{alert.GetProperty("id").GetInt64()}")).ReadAsync();
        detail.GetProperty("detections")[0].GetProperty("event_ref").GetString()!.ShouldStartWith("event:");
        detail.GetProperty("detections")[0].GetProperty("fields").GetProperty("source.ip").GetString().ShouldBe("198.51.100.23");

        var privacy = await WaitForAlertsAsync(analyst, "category=privacy", items => items.Count > 0);
        privacy.Select(a => a.GetProperty("title").GetString()).ShouldContain("A VIP patient's record opened without a care relationship");
        privacy.ShouldAllBe(a => a.GetProperty("establishment").GetString() == "CHU-A" && a.GetProperty("entity").GetString() == "user:nurse.sara");
    }
}
