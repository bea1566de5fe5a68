using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Detection;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>Detection on the stream: stored events pass through the enabled rules; matches become detections, readable through the API.</summary>
public sealed class DetectionTests
{
    private static string RulesFolder(out string ruleId, out string correlationId)
    {
        ruleId = Guid.NewGuid().ToString();
        correlationId = Guid.NewGuid().ToString();
        var folder = TestEnvironment.NewTempDirectory("vigie-rules");
        File.WriteAllText(Path.Combine(folder, "admin_sign_in_probe.yml"), $"""
            title: Sign-in probe against an administrator account
            id: {ruleId}
            name: admin_sign_in_probe
            status: test
            description: A test rule of Vigie's suite.
            logsource:
                product: vigie-test
            detection:
                selection:
                    event.action: probe-test
                    user.name|startswith: adm
                condition: selection
            level: high
            tags:
                - attack.credential-access
                - attack.t1110
            """);
        File.WriteAllText(Path.Combine(folder, "admin_probe_burst.yml"), $"""
            title: Burst of administrator sign-in probes from one address
            id: {correlationId}
            status: test
            correlation:
                type: event_count
                rules:
                    - admin_sign_in_probe
                group-by:
                    - source.ip
                timespan: 5m
                condition:
                    gte: 3
                generate: true
            level: critical
            """);
        return folder;
    }

    private static async Task<List<JsonElement>> WaitForDetectionsAsync(HttpClient client, string query, int atLeast)
    {
        var items = new List<JsonElement>();
        for (var i = 0; i < 150 && items.Count < atLeast; i++)
        {
            await Task.Delay(200);
            var response = await client.GetAsync("/api/v1/detections?limit=1000&" + query);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            items = (await response.ReadAsync()).GetProperty("items").EnumerateArray().ToList();
        }
        return items;
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Matches_and_correlations_become_scoped_detections(string provider)
    {
        await using var c = await CollectionHost.StartAsync(provider);
        var folder = RulesFolder(out var ruleId, out var correlationId);
        var imported = await c.Host.WithServicesAsync(sp => sp.GetRequiredService<RuleLibrary>().ImportAsync([folder]));
        imported.Added.ShouldBe(2);
        imported.Rejected.ShouldBeEmpty();

        var events = Enumerable.Range(0, 4).Select(i => new Dictionary<string, object?>
        {
            ["@timestamp"] = DateTime.UtcNow.AddSeconds(-10 + i).ToString("O"),
            ["event.action"] = "probe-test",
            ["user.name"] = i == 3 ? "alice" : "admin" + i,
            ["source.ip"] = "203.0.113.50",
        }).ToArray();
        (await (await c.IngestAsync(c.KeyA, CollectionHost.Lines(events))).ReadAsync()).GetProperty("accepted").GetInt32().ShouldBe(4);

        var found = await WaitForDetectionsAsync(c.Admin, "", 4);
        var matches = found.Where(d => d.GetProperty("rule_id").GetString() == ruleId).ToList();
        matches.Count.ShouldBe(3, "alice is not an administrator account");
        var first = matches[0];
        first.GetProperty("level").GetString().ShouldBe("high");
        first.GetProperty("rule_title").GetString().ShouldBe("Sign-in probe against an administrator account");
        first.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["attack.credential-access", "attack.t1110"]);
        first.GetProperty("establishment").GetString().ShouldBe("CHU-A");
        first.GetProperty("correlation").GetBoolean().ShouldBeFalse();
        var correlation = found.Single(d => d.GetProperty("rule_id").GetString() == correlationId);
        correlation.GetProperty("correlation").GetBoolean().ShouldBeTrue();
        correlation.GetProperty("level").GetString().ShouldBe("critical");
        correlation.GetProperty("group").GetString().ShouldBe("source.ip=203.0.113.50");
        correlation.GetProperty("event_count").GetInt32().ShouldBe(3);

        // The event reference leads to the event.
        var eventId = first.GetProperty("event_id").GetInt64();
        var search = await CollectionHost.SearchAsync(c.Admin, "event.action:probe-test AND user.name:adm*");
        search.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("_id").GetInt64()).ShouldContain(eventId);
        var referenced = await (await c.Admin.GetAsync($"/api/v1/events/{eventId}")).ReadAsync();
        referenced.GetProperty("event.action").GetString().ShouldBe("probe-test");
        referenced.GetProperty("_establishment").GetString().ShouldBe("CHU-A");

        using var a = await c.Host.SignedInAsync("rssi.a");
        using var b = await c.Host.SignedInAsync("rssi.b");
        (await (await a.GetAsync("/api/v1/detections?rule=" + ruleId)).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(3);
        (await (await b.GetAsync("/api/v1/detections?rule=" + ruleId)).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(0);
        (await b.GetAsync($"/api/v1/events/{eventId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await a.GetAsync($"/api/v1/events/{eventId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await c.Admin.GetAsync("/api/v1/detections?level=critical")).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(1);
        (await c.Admin.GetAsync("/api/v1/detections?level=severe")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var clinician = await SignedInClinicianAsync(c);
        (await clinician.GetAsync("/api/v1/detections")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task<HttpClient> SignedInClinicianAsync(CollectionHost c)
    {
        await c.Host.AddUserAsync("dr.test", Core.Identity.Roles.Clinician, "CHU-A");
        return await c.Host.SignedInAsync("dr.test");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task SigmaHQ_rules_detect_the_attacks_of_the_security_datasets_recordings(string provider)
    {
        var rules = CollectionData.Require("sigma", "rules", "windows");
        var recording = CollectionData.Require("security-datasets", "psh_lsass_memory_dump_comsvcs");
        var expected = CollectionData.Require("sigma", "rules", "windows", "process_creation", "proc_creation_win_rundll32_process_dump_via_comsvcs.yml");
        var expectedRule = SigmaRuleSet.Load([expected]).Rules.Single();

        await using var c = await CollectionHost.StartAsync(provider);
        var imported = await c.Host.WithServicesAsync(sp => sp.GetRequiredService<RuleLibrary>().ImportAsync([rules]));
        imported.Added.ShouldBeGreaterThan(2000);
        var lines = await File.ReadAllTextAsync(Directory.GetFiles(recording, "*.json").Single());
        var reply = await (await c.IngestAsync(c.KeyA, lines)).ReadAsync();
        reply.GetProperty("rejected").GetArrayLength().ShouldBe(0);

        var found = await WaitForDetectionsAsync(c.Admin, "rule=" + expectedRule.Id, 1);
        found.ShouldNotBeEmpty($"rule '{expectedRule.Title}' fires on the comsvcs.dll LSASS dump recording");
        found[0].GetProperty("rule_title").GetString().ShouldBe(expectedRule.Title);
        found[0].GetProperty("establishment").GetString().ShouldBe("CHU-A");
    }
}
