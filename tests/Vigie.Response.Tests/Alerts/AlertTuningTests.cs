using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;

namespace Vigie.Response.Tests.Alerts;

public sealed class AlertTuningTests
{
    private const string Exception = """
        title: Backup service account renames files every night
        logsource:
          product: windows
        filter:
          rules:
            - mass-rename
          backup:
            user.name: svc-backup
            process.executable|endswith: '\veeam.exe'
          condition: backup
        """;

    private static async Task<VigieTestHost> StartAsync(string provider)
    {
        var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        await host.AddUserAsync("rssi.a", Roles.SecurityOfficer, "REG-A");
        return host;
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_suppression_holds_back_its_rule_for_its_entity_until_revoked_and_counts_hits(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var created = await analyst.PostAsJsonAsync("/api/v1/alerts/suppressions", new
        {
            rule_id = "vuln-scan",
            entity = "address:10.0.0.5",
            owner = "analyst",
            reason = "authorised vulnerability scanner of the national centre",
            expires_at = DateTime.UtcNow.AddDays(30),
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadAsync()).GetProperty("id").GetInt64();

        var chu = await host.EstablishmentIdAsync("CHU-A");
        var scanner = new Dictionary<string, string> { ["source.ip"] = "10.0.0.5" };
        var other = new Dictionary<string, string> { ["source.ip"] = "10.0.0.66" };
        var outcome = await host.AddDetectionsAsync(
            Detections.Make("vuln-scan", Detections.Start, chu, fields: scanner),
            Detections.Make("vuln-scan", Detections.Start.AddMinutes(1), chu, fields: scanner),
            Detections.Make("vuln-scan", Detections.Start, chu, fields: other));
        outcome.Suppressed.ShouldBe(2);
        outcome.Created.ShouldBe(1);

        var list = await (await analyst.GetAsync("/api/v1/alerts/suppressions")).ReadAsync();
        list.GetProperty("items")[0].GetProperty("hits").GetInt64().ShouldBe(2);
        var rules = await (await analyst.GetAsync("/api/v1/alerts/rules")).ReadAsync();
        rules.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("rule_id").GetString() == "vuln-scan").GetProperty("suppressed").GetInt64().ShouldBe(2);

        (await analyst.PostAsync($"/api/v1/alerts/suppressions/{id}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsync($"/api/v1/alerts/suppressions/{id}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await host.AddDetectionsAsync(Detections.Make("vuln-scan", Detections.Start.AddMinutes(2), chu, fields: scanner))).Created.ShouldBe(1);
        (await (await analyst.GetAsync("/api/v1/alerts/suppressions")).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(0);
        (await (await analyst.GetAsync("/api/v1/alerts/suppressions?all=true")).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Tuning_without_owner_reason_or_expiry_is_refused_and_only_central_roles_tune(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        async Task<string> RefusalAsync(object body)
        {
            var response = await analyst.PostAsJsonAsync("/api/v1/alerts/suppressions", body);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            return (await response.ReadAsync()).GetProperty("detail").GetString()!;
        }
        (await RefusalAsync(new { rule_id = "r", reason = "because", expires_at = DateTime.UtcNow.AddDays(1) })).ShouldContain("owner");
        (await RefusalAsync(new { rule_id = "r", owner = "ghost", reason = "because", expires_at = DateTime.UtcNow.AddDays(1) })).ShouldContain("not a user");
        (await RefusalAsync(new { rule_id = "r", owner = "analyst", expires_at = DateTime.UtcNow.AddDays(1) })).ShouldContain("reason");
        (await RefusalAsync(new { rule_id = "r", owner = "analyst", reason = "because" })).ShouldContain("expires_at");
        (await RefusalAsync(new { rule_id = "r", owner = "analyst", reason = "because", expires_at = DateTime.UtcNow.AddDays(-1) })).ShouldContain("future");
        (await RefusalAsync(new { rule_id = "r", owner = "analyst", reason = "because", expires_at = DateTime.UtcNow.AddDays(400) })).ShouldContain("365 days");
        (await RefusalAsync(new { rule_id = "r", entity = "mailbox:x", owner = "analyst", reason = "because", expires_at = DateTime.UtcNow.AddDays(1) })).ShouldContain("user:NAME");

        using var officer = await host.SignedInAsync("rssi.a");
        (await officer.PostAsJsonAsync("/api/v1/alerts/suppressions", new { rule_id = "r", owner = "rssi.a", reason = "because", expires_at = DateTime.UtcNow.AddDays(1) }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_exception_written_as_a_Sigma_filter_excludes_only_the_events_it_matches(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var created = await analyst.PostAsJsonAsync("/api/v1/alerts/exceptions", new { yaml = Exception, owner = "analyst", reason = "nightly backup job", expires_at = DateTime.UtcNow.AddDays(90) });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        (await created.ReadAsync()).GetProperty("rule_ids").EnumerateArray().Select(r => r.GetString()).ShouldBe(["mass-rename"]);

        var chu = await host.EstablishmentIdAsync("CHU-A");
        var outcome = await host.AddDetectionsAsync(
            Detections.Make("mass-rename", Detections.Start, chu, "svc-backup", fields: new Dictionary<string, string> { ["process.executable"] = @"C:\Program Files\Veeam\veeam.exe" }),
            Detections.Make("mass-rename", Detections.Start, chu, "svc-backup", fields: new Dictionary<string, string> { ["process.executable"] = @"C:\Users\Public\enc.exe" }),
            Detections.Make("other-rule", Detections.Start, chu, "svc-backup", fields: new Dictionary<string, string> { ["process.executable"] = @"C:\Program Files\Veeam\veeam.exe" }));
        outcome.Excepted.ShouldBe(1);
        outcome.Created.ShouldBe(2);
        var list = await (await analyst.GetAsync("/api/v1/alerts/exceptions")).ReadAsync();
        list.GetProperty("items")[0].GetProperty("hits").GetInt64().ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_malformed_exception_is_refused_with_its_line(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var response = await analyst.PostAsJsonAsync("/api/v1/alerts/exceptions", new
        {
            yaml = "title: broken\nfilter:\n  rules: [x]\n  sel:\n    a: b\n  condition: sel and\n",
            owner = "analyst",
            reason = "test",
            expires_at = DateTime.UtcNow.AddDays(1),
        });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("line");

        var rule = await analyst.PostAsJsonAsync("/api/v1/alerts/exceptions", new
        {
            yaml = "title: a rule\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: b\n  condition: sel\n",
            owner = "analyst",
            reason = "test",
            expires_at = DateTime.UtcNow.AddDays(1),
        });
        rule.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await rule.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("Sigma filter");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Each_rule_shows_its_false_positive_rate(string provider)
    {
        await using var host = await StartAsync(provider);
        var chu = await host.EstablishmentIdAsync("CHU-A");
        await host.AddDetectionsAsync(
            Detections.Make("noisy", Detections.Start, chu, "u1"),
            Detections.Make("noisy", Detections.Start, chu, "u2"),
            Detections.Make("noisy", Detections.Start, chu, "u3"),
            Detections.Make("noisy", Detections.Start, chu, "u4"));
        using var analyst = await host.SignedInAsync("analyst");
        var ids = (await (await analyst.GetAsync("/api/v1/alerts")).ReadAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
        await analyst.PostAsJsonAsync($"/api/v1/alerts/{ids[0]}/close", new { resolution = "false_positive", reason = "admin script" });
        await analyst.PostAsJsonAsync($"/api/v1/alerts/{ids[1]}/close", new { resolution = "false_positive", reason = "admin script" });
        await analyst.PostAsJsonAsync($"/api/v1/alerts/{ids[2]}/close", new { resolution = "true_positive", reason = "confirmed" });
        var rules = await (await analyst.GetAsync("/api/v1/alerts/rules")).ReadAsync();
        var noisy = rules.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("rule_id").GetString() == "noisy");
        noisy.GetProperty("alerts").GetInt32().ShouldBe(4);
        noisy.GetProperty("closed").GetInt32().ShouldBe(3);
        noisy.GetProperty("false_positives").GetInt32().ShouldBe(2);
        noisy.GetProperty("false_positive_rate").GetDouble().ShouldBe(0.6667, 0.0001);
        noisy.GetProperty("open").GetInt32().ShouldBe(1);
    }
}
