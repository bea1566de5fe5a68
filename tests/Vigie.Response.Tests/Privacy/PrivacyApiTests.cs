using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Privacy;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Response.Tests.Privacy;

public sealed class PrivacyApiTests
{
    private static readonly DateTime Day = DateTime.UtcNow.Date.AddDays(-1);

    private static string Event(string user, string patient, DateTime time, string care = "encounter", string? organization = "CHU-A", bool vip = false) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["@timestamp"] = time.ToString("o"),
            ["event.dataset"] = "vigie.records",
            ["event.action"] = "read",
            ["user.name"] = user,
            ["organization.id"] = organization,
            ["vigie.patient.id"] = patient,
            ["vigie.access.decision"] = "permit",
            ["vigie.access.purpose"] = "TREAT",
            ["vigie.privacy.care_relationship"] = care,
            ["vigie.privacy.vip"] = vip,
        });

    private static async Task<(VigieTestHost Host, HttpClient Collector)> StartAsync(string provider)
    {
        var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dpo", Roles.Dpo, "NAT");
        await host.AddUserAsync("rssi.b", Roles.SecurityOfficer, "HOSP-B");
        await host.AddUserAsync("doctor", Roles.Clinician, "CHU-A");
        var key = await host.WithServicesAsync(async sp => (await sp.GetRequiredService<CollectorRegistry>().AddAsync("ehr-chu-a", "CHU-A", new Actor("test"), AccessScope.Everything)).Key);
        var collector = new HttpClient { BaseAddress = host.Address };
        collector.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return (host, collector);
    }

    private static StringContent Lines(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_record_gateway_feeds_accesses_and_the_DPO_investigates_users_and_patients(string provider)
    {
        var (host, collector) = await StartAsync(provider);
        await using var _ = host;
        using var __ = collector;
        var feed = await collector.PostAsync("/api/v1/privacy/events", Lines(
            Event("dr.amal", "NHI-1", Day.AddHours(9)),
            Event("dr.amal", "NHI-2", Day.AddHours(9.5)),
            Event("nurse.sara", "NHI-1", Day.AddHours(10)),
            Event("nurse.sara", "NHI-VIP", Day.AddHours(11), care: "none", vip: true),
            "",
            Event("nurse.sara", "NHI-3", Day.AddHours(12), organization: null)));
        feed.StatusCode.ShouldBe(HttpStatusCode.OK, await feed.Content.ReadAsStringAsync());
        var outcome = await feed.ReadAsync();
        outcome.GetProperty("accepted").GetInt32().ShouldBe(5);
        outcome.GetProperty("alerts_created").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        using var dpo = await host.SignedInAsync("dpo");
        var alerts = await (await dpo.GetAsync("/api/v1/alerts?category=privacy")).ReadAsync();
        var vip = alerts.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("title").GetString() == "A VIP patient's record opened without a care relationship");
        vip.GetProperty("establishment").GetString().ShouldBe("CHU-A");
        vip.GetProperty("risk_score").GetInt32().ShouldBeGreaterThan(50);
        var detail = await (await dpo.GetAsync($"/api/v1/alerts/{vip.GetProperty("id").GetInt64()}")).ReadAsync();
        detail.GetProperty("explanation").EnumerateArray().Select(f => f.GetString()).ShouldBe(["no care relationship with the patient", "the patient is a VIP"], ignoreOrder: true);
        detail.GetRawText().ShouldNotContain("NHI-VIP");

        var user = await (await dpo.GetAsync($"/api/v1/privacy/users/nurse.sara/accesses?from={Day:yyyy-MM-dd}")).ReadAsync();
        user.GetProperty("accesses").GetInt32().ShouldBe(3);
        user.GetProperty("patients").GetInt32().ShouldBe(3);
        user.GetProperty("suspicious").GetInt32().ShouldBe(1);
        user.GetProperty("alerts").GetArrayLength().ShouldBeGreaterThanOrEqualTo(1);
        var items = user.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("time").GetString()).ShouldBeInOrder();
        items[1].GetProperty("risk_score").GetInt32().ShouldBeGreaterThan(0);
        items[1].GetProperty("facts").EnumerateArray().Select(f => f.GetString()).ShouldContain("the patient is a VIP");
        items[2].GetProperty("establishment").GetString().ShouldBe("CHU-A");
        items.ShouldAllBe(i => i.GetProperty("patient").GetString()!.StartsWith("pp_", StringComparison.Ordinal));

        var patient = await (await dpo.PostAsJsonAsync("/api/v1/privacy/patients/accessors", new { patient_id = "NHI-1", from = Day })).ReadAsync();
        patient.GetProperty("patient").GetString()!.ShouldStartWith("pp_");
        patient.GetProperty("accessors").EnumerateArray().Select(a => a.GetProperty("user").GetString()).ShouldBe(["dr.amal", "nurse.sara"], ignoreOrder: true);
        patient.GetProperty("accesses").GetInt32().ShouldBe(2);
        var byPseudonym = await (await dpo.PostAsJsonAsync("/api/v1/privacy/patients/accessors", new { patient_id = patient.GetProperty("patient").GetString(), from = Day })).ReadAsync();
        byPseudonym.GetProperty("accesses").GetInt32().ShouldBe(2);

        // Another region's officer sees none of it; a clinician may not investigate.
        using var officer = await host.SignedInAsync("rssi.b");
        (await (await officer.GetAsync($"/api/v1/privacy/users/nurse.sara/accesses?from={Day:yyyy-MM-dd}")).ReadAsync()).GetProperty("accesses").GetInt32().ShouldBe(0);
        using var doctor = await host.SignedInAsync("doctor");
        (await doctor.GetAsync("/api/v1/privacy/users/nurse.sara/accesses")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await dpo.PostAsJsonAsync("/api/v1/privacy/patients/accessors", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_batch_with_a_bad_line_is_refused_whole_naming_the_line(string provider)
    {
        var (host, collector) = await StartAsync(provider);
        await using var _ = host;
        using var __ = collector;
        async Task<string> RefusedAsync(StringContent body)
        {
            var response = await collector.PostAsync("/api/v1/privacy/events", body);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            return (await response.ReadAsync()).GetProperty("detail").GetString()!;
        }
        (await RefusedAsync(Lines(Event("a", "NHI-1", Day), "{\"@timestamp\": "))).ShouldStartWith("line 2: not valid JSON");
        (await RefusedAsync(Lines(Event("a", "NHI-1", Day), "{\"user.name\": \"a\"}"))).ShouldStartWith("line 2: the event has no '@timestamp'");
        (await RefusedAsync(Lines(Event("a", "NHI-1", Day, organization: "HOSP-B")))).ShouldContain("not this collector's establishment");
        var accepted = await (await host.SignedInAsync("dpo")).GetAsync($"/api/v1/privacy/users/a/accesses?from={Day.AddDays(-1):yyyy-MM-dd}");
        (await accepted.ReadAsync()).GetProperty("accesses").GetInt32().ShouldBe(0);

        // Only collectors feed events: a person's token is not an API key.
        using var dpo = await host.SignedInAsync("dpo");
        (await dpo.PostAsync("/api/v1/privacy/events", Lines(Event("a", "NHI-1", Day)))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task Baselines_are_relearnt_from_the_privacy_index_after_a_restart()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        var lines = new List<string>();
        for (var day = 0; day < 9; day++)
        {
            for (var i = 0; i < 10; i++)
                lines.Add(Event("nurse.day", $"NHI-{i}", DateTime.UtcNow.Date.AddDays(-12 + day).AddHours(8 + 0.5 * i)));
        }
        // Nine days of day shifts go through one monitor…
        await host.WithServicesAsync(sp => sp.GetRequiredService<PrivacyProcessor>().ProcessAsync(lines.Select(l => RecordAccess.Parse(l)).ToList()));
        // …and a night access is judged by a fresh one that only has the index to learn from.
        var fresh = await host.WithServicesAsync(async sp =>
        {
            var pseudonyms = sp.GetRequiredService<PatientPseudonyms>();
            var other = new PrivacyMonitorHost(pseudonyms);
            var db = sp.GetRequiredService<Vigie.Core.Data.VigieDbContext>();
            return await other.RunAsync(db, ["CHU-A"], m => m.Process(RecordAccess.Parse(Event("nurse.day", "NHI-1", DateTime.UtcNow.Date.AddDays(-2).AddHours(2)))), CancellationToken.None);
        });
        fresh.Select(d => d.Title).ShouldContain("Record access at an hour unusual for the user");
    }
}
