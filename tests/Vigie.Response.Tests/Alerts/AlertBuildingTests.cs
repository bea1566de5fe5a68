using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Alerts;

public sealed class AlertBuildingTests
{
    private static Task<List<Alert>> AlertsAsync(VigieTestHost host) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().Alerts.AsNoTracking().Include(a => a.Detections).OrderBy(a => a.Id).ToListAsync());

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Detections_of_one_rule_about_one_user_within_the_window_make_one_alert_with_a_count(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        var chu = await host.EstablishmentIdAsync("CHU-A");
        var t = Detections.Start;
        var outcome = await host.AddDetectionsAsync(
            Detections.Make("rule-1", t, chu, "alice"),
            Detections.Make("rule-1", t.AddMinutes(20), chu, "alice"),
            Detections.Make("rule-1", t.AddMinutes(50), chu, "Alice"),
            Detections.Make("rule-1", t.AddMinutes(30), chu, "bob"),
            Detections.Make("rule-2", t.AddMinutes(10), chu, "alice"));
        outcome.Created.ShouldBe(3);
        outcome.Grouped.ShouldBe(2);

        var alerts = await AlertsAsync(host);
        var alice = alerts.Single(a => a.RuleId == "rule-1" && a.Entity == "user:alice");
        alice.Count.ShouldBe(3);
        alice.FirstSeen.ShouldBe(t);
        alice.LastSeen.ShouldBe(t.AddMinutes(50));
        alice.Detections.Count.ShouldBe(3);
        alerts.Single(a => a.Entity == "user:bob").Count.ShouldBe(1);
        alerts.Single(a => a.RuleId == "rule-2").Count.ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_detection_after_the_window_or_after_closing_opens_a_new_alert(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        var chu = await host.EstablishmentIdAsync("CHU-A");
        var t = Detections.Start;
        await host.AddDetectionsAsync(Detections.Make("rule-1", t, chu, "alice"));
        // Sixty-one minutes after the last one: outside the default one-hour window.
        await host.AddDetectionsAsync(Detections.Make("rule-1", t.AddMinutes(61), chu, "alice"));
        (await AlertsAsync(host)).Count.ShouldBe(2);

        var second = (await AlertsAsync(host))[^1];
        await host.WithServicesAsync(sp => sp.GetRequiredService<AlertTriage>().CloseAsync(second.Id, "benign", "planned test", new("test"), AlertVisibility.Everything));
        await host.AddDetectionsAsync(Detections.Make("rule-1", t.AddMinutes(62), chu, "alice"));
        var alerts = await AlertsAsync(host);
        alerts.Count.ShouldBe(3);
        alerts[^1].Status.ShouldBe(AlertStatus.New);
        alerts[^1].Count.ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_same_rule_and_user_in_two_establishments_are_two_alerts(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        var t = Detections.Start;
        await host.AddDetectionsAsync(
            Detections.Make("rule-1", t, await host.EstablishmentIdAsync("CHU-A"), "alice"),
            Detections.Make("rule-1", t, await host.EstablishmentIdAsync("HOSP-B"), "alice"));
        (await AlertsAsync(host)).Select(a => a.Count).ShouldBe([1, 1]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Severity_follows_the_rule_level_and_rises_for_a_sensitive_patient_or_asset(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        var chu = await host.EstablishmentIdAsync("CHU-A");
        var t = Detections.Start;
        await host.AddDetectionsAsync(
            Detections.Make("plain", t, chu, "a", SigmaLevel.Medium),
            Detections.Make("vip", t, chu, "b", SigmaLevel.Medium, fields: new Dictionary<string, string> { ["vigie.privacy.vip"] = "true" }),
            Detections.Make("device", t, chu, "c", SigmaLevel.High, fields: new Dictionary<string, string> { ["vigie.asset.type"] = "medical-device" }),
            Detections.Make("critical", t, chu, "d", SigmaLevel.Critical, fields: new Dictionary<string, string> { ["host.criticality"] = "critical" }),
            Detections.Make("info", t, chu, "e", SigmaLevel.Informational));
        var alerts = (await AlertsAsync(host)).ToDictionary(a => a.RuleId);
        alerts["plain"].Severity.ShouldBe(AlertSeverity.Medium);
        alerts["plain"].Sensitive.ShouldBeFalse();
        alerts["vip"].Severity.ShouldBe(AlertSeverity.High);
        alerts["vip"].Explanation!.ShouldContain("the patient is a VIP");
        alerts["device"].Severity.ShouldBe(AlertSeverity.Critical);
        alerts["critical"].Severity.ShouldBe(AlertSeverity.Critical);
        alerts["info"].Severity.ShouldBe(AlertSeverity.Informational);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_detection_fed_twice_is_counted_once(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        var d = Detections.Make("rule-1", Detections.Start, await host.EstablishmentIdAsync("CHU-A"), "alice");
        (await host.AddDetectionsAsync(d)).Created.ShouldBe(1);
        var again = await host.AddDetectionsAsync(d);
        again.Duplicates.ShouldBe(1);
        again.Created.ShouldBe(0);
        (await AlertsAsync(host)).Single().Count.ShouldBe(1);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patient_identifier_is_kept_only_pseudonymised(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddDetectionsAsync(Detections.Make("rule-1", Detections.Start, await host.EstablishmentIdAsync("CHU-A"), "alice",
            fields: new Dictionary<string, string> { ["vigie.patient.id"] = "NHI-1234567890", ["patient.name"] = "Fatima Zahra" }));
        var kept = (await AlertsAsync(host)).Single().Detections.Single().Fields!;
        kept.ShouldNotContain("NHI-1234567890");
        kept.ShouldNotContain("Fatima");
        kept.ShouldContain("vigie.patient.pseudonym");
        kept.ShouldContain("alice");
    }

    [Fact]
    public void Technique_ids_come_from_attack_tags_only()
    {
        AttackCatalog.TechniqueIds(["attack.initial-access", "attack.t1078", "attack.T1059.001", "cve.2021-44228", "attack.t1078", "attack.t12"])
            .ShouldBe(["T1078", "T1059.001"]);
    }

    [SkippableFact]
    public void Technique_names_come_from_the_ATTACK_technique_list()
    {
        var folder = Path.Combine(TestEnvironment.SharedData, "attack");
        Skip.IfNot(File.Exists(Path.Combine(folder, AttackCatalog.FileName)), $"the ATT&CK technique list is missing ({Path.Combine(folder, AttackCatalog.FileName)})");
        var catalog = AttackCatalog.Load(folder);
        catalog.Find("T1213")!.Name.ShouldBe("Data from Information Repositories");
        catalog.Find("T1059.001")!.Name.ShouldBe("PowerShell");
        catalog.Find("T1078")!.Tactics.ShouldContain("initial-access");
        catalog.Find("T9999").ShouldBeNull();
    }

    [Fact]
    public void A_damaged_technique_list_is_refused_with_the_file_named()
    {
        var file = Path.Combine(TestEnvironment.NewTempDirectory(), "attack.json");
        File.WriteAllText(file, "[{\"technique_id\": \"T1001\", \"name\": \"Data Obfuscation\"}, {\"name\": 3");
        var error = Should.Throw<InvalidDataException>(() => AttackCatalog.Load(file));
        error.Message.ShouldContain(file);
        error.Message.ShouldContain("line");
    }
}
