using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Alerts;

public sealed class AlertApiTests
{
    /// <summary>A host with the test hierarchy, one user per role, and alerts in two regions, one of them a privacy alert.</summary>
    private static async Task<VigieTestHost> StartAsync(string provider)
    {
        var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        await host.AddUserAsync("rssi.a", Roles.SecurityOfficer, "REG-A");
        await host.AddUserAsync("rssi.b", Roles.SecurityOfficer, "HOSP-B");
        await host.AddUserAsync("dpo", Roles.Dpo, "NAT");
        await host.AddUserAsync("doctor", Roles.Clinician, "CHU-A");
        var chu = await host.EstablishmentIdAsync("CHU-A");
        var hospB = await host.EstablishmentIdAsync("HOSP-B");
        var t = Detections.Start;
        await host.AddDetectionsAsync(
            Detections.Make("brute-force", t, chu, "alice", SigmaLevel.High, ["attack.credential-access", "attack.t1110"], title: "Brute force"),
            Detections.Make("brute-force", t.AddMinutes(5), chu, "alice", SigmaLevel.High, ["attack.t1110"], title: "Brute force"),
            Detections.Make("ransom-note", t.AddMinutes(1), hospB, null, SigmaLevel.Critical, ["attack.t1486"],
                new Dictionary<string, string> { ["host.name"] = "srv-b1" }, "Ransom note written"),
            Detections.Make("no-care-relationship", t.AddMinutes(2), chu, "dr.x", SigmaLevel.Medium, ["attack.t1213"],
                new Dictionary<string, string> { ["event.dataset"] = "vigie.records" }, "Record opened without a care relationship"));
        return host;
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync("/api/v1/alerts" + query);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync();
    }

    private static long IdOf(JsonElement list, string ruleId) =>
        list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("rule_id").GetString() == ruleId).GetProperty("id").GetInt64();

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_list_answers_the_contract_shape(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var list = await ListAsync(analyst);
        list.TryGetProperty("next_cursor", out _).ShouldBeTrue();
        var items = list.GetProperty("items").EnumerateArray().ToList();
        items.Count.ShouldBe(3);
        var brute = items.Single(i => i.GetProperty("rule_id").GetString() == "brute-force");
        foreach (var property in new[] { "id", "rule_id", "title", "severity", "status", "establishment", "count", "first_seen", "last_seen", "techniques" })
            brute.TryGetProperty(property, out _).ShouldBeTrue($"item lacks '{property}'");
        brute.GetProperty("title").GetString().ShouldBe("Brute force");
        brute.GetProperty("severity").GetString().ShouldBe("high");
        brute.GetProperty("status").GetString().ShouldBe("new");
        brute.GetProperty("establishment").GetString().ShouldBe("CHU-A");
        brute.GetProperty("count").GetInt32().ShouldBe(2);
        brute.GetProperty("techniques")[0].GetProperty("id").GetString().ShouldBe("T1110");
        // Times are shown in the establishment's zone (Africa/Casablanca, +01:00 outside Ramadan).
        brute.GetProperty("first_seen").GetString().ShouldBe("2026-05-04T10:00:00+01:00");
        brute.GetProperty("last_seen").GetString().ShouldBe("2026-05-04T10:05:00+01:00");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Filters_select_by_status_severity_and_establishment_subtree(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        (await ListAsync(analyst, "?severity=critical")).GetProperty("items").Strings("rule_id").ShouldBe(["ransom-note"]);
        (await ListAsync(analyst, "?severity=high,critical")).GetProperty("items").GetArrayLength().ShouldBe(2);
        (await ListAsync(analyst, "?establishment=REG-A")).GetProperty("items").Strings("rule_id").ShouldBe(["no-care-relationship", "brute-force"]);
        (await ListAsync(analyst, "?establishment=HOSP-B&status=new")).GetProperty("items").Strings("rule_id").ShouldBe(["ransom-note"]);
        (await ListAsync(analyst, "?status=closed")).GetProperty("items").GetArrayLength().ShouldBe(0);

        var bad = await analyst.GetAsync("/api/v1/alerts?status=pending");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("new, acknowledged, closed");
        (await analyst.GetAsync("/api/v1/alerts?severity=urgent")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.GetAsync("/api/v1/alerts?establishment=NOPE")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Pages_follow_the_cursor_without_repeats(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var first = await ListAsync(analyst, "?limit=2");
        first.GetProperty("items").GetArrayLength().ShouldBe(2);
        var cursor = first.GetProperty("next_cursor").GetString();
        cursor.ShouldNotBeNull();
        var second = await ListAsync(analyst, "?limit=2&cursor=" + cursor);
        second.GetProperty("items").GetArrayLength().ShouldBe(1);
        second.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("items").Strings("rule_id").Concat(second.GetProperty("items").Strings("rule_id")).Distinct().Count().ShouldBe(3);
        (await analyst.GetAsync("/api/v1/alerts?cursor=abc")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Each_role_sees_its_own_alerts_and_no_others(string provider)
    {
        await using var host = await StartAsync(provider);
        using var officerA = await host.SignedInAsync("rssi.a");
        (await ListAsync(officerA)).GetProperty("items").Strings("rule_id").ShouldBe(["no-care-relationship", "brute-force"]);
        using var officerB = await host.SignedInAsync("rssi.b");
        var listB = await ListAsync(officerB);
        listB.GetProperty("items").Strings("rule_id").ShouldBe(["ransom-note"]);

        // Another establishment's alert does not exist for this officer, and cannot be acted on.
        using var analyst = await host.SignedInAsync("analyst");
        var bruteId = IdOf(await ListAsync(analyst), "brute-force");
        (await officerB.GetAsync($"/api/v1/alerts/{bruteId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await officerB.PostAsJsonAsync($"/api/v1/alerts/{bruteId}/acknowledge", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Filtering by an establishment out of scope says nothing about it either.
        (await officerB.GetAsync("/api/v1/alerts?establishment=CHU-A")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var dpo = await host.SignedInAsync("dpo");
        var privacy = await ListAsync(dpo);
        privacy.GetProperty("items").Strings("rule_id").ShouldBe(["no-care-relationship"]);
        privacy.GetProperty("items")[0].GetProperty("category").GetString().ShouldBe("privacy");
        (await dpo.GetAsync($"/api/v1/alerts/{bruteId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var doctor = await host.SignedInAsync("doctor");
        (await doctor.GetAsync("/api/v1/alerts")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await host.Client.GetAsync("/api/v1/alerts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_alert_goes_new_acknowledged_closed_and_every_step_is_recorded(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var id = IdOf(await ListAsync(analyst), "brute-force");

        var ack = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/acknowledge", new { comment = "looking into it" });
        ack.StatusCode.ShouldBe(HttpStatusCode.OK);
        var acked = await ack.ReadAsync();
        acked.GetProperty("status").GetString().ShouldBe("acknowledged");
        acked.GetProperty("allowed_actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["close"]);

        var again = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/acknowledge", new { });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.ReadAsync()).GetProperty("detail").GetString().ShouldBe($"alert {id} is acknowledged: it cannot be acknowledged; allowed: close");

        var close = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/close", new { resolution = "true_positive", reason = "password spraying from a compromised workstation" });
        close.StatusCode.ShouldBe(HttpStatusCode.OK);
        var closed = await close.ReadAsync();
        closed.GetProperty("status").GetString().ShouldBe("closed");
        closed.GetProperty("resolution").GetString().ShouldBe("true_positive");
        closed.GetProperty("closed_at").GetString().ShouldNotBeNull();

        var history = closed.GetProperty("history").EnumerateArray().ToList();
        history.Select(h => h.GetProperty("action").GetString()).ShouldBe(["created", "acknowledged", "closed"]);
        history[1].GetProperty("actor").GetString().ShouldBe("analyst");
        history[1].GetProperty("text").GetString().ShouldBe("looking into it");
        history[2].GetProperty("from").GetString().ShouldBe("acknowledged");
        history[2].GetProperty("to").GetString().ShouldBe("closed");

        var ackClosed = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/acknowledge", new { });
        ackClosed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ackClosed.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("allowed: reopen");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Closing_needs_a_known_resolution_and_a_reason_and_bad_bodies_get_400(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var id = IdOf(await ListAsync(analyst), "ransom-note");

        var unknown = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/close", new { resolution = "fixed", reason = "x" });
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("true_positive, false_positive, benign, duplicate");
        (await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/close", new { resolution = "benign" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var malformed = await analyst.PostAsync($"/api/v1/alerts/{id}/close", new StringContent("{\"resolution\": ", Encoding.UTF8, "application/json"));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await malformed.ReadAsync()).GetProperty("status").GetInt32().ShouldBe(400);

        (await analyst.PostAsJsonAsync("/api/v1/alerts/999999/close", new { resolution = "benign", reason = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await analyst.GetAsync("/api/v1/alerts/not-a-number")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Closing straight from new is allowed, and counts as acknowledged at the same time.
        var close = await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/close", new { resolution = "false_positive", reason = "backup software renaming files" });
        var closed = await close.ReadAsync();
        closed.GetProperty("acknowledged_at").GetString().ShouldBe(closed.GetProperty("closed_at").GetString());
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Alerts_are_assigned_only_to_people_who_may_work_on_them(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var list = await ListAsync(analyst);
        var brute = IdOf(list, "brute-force");

        var assign = await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/assign", new { assignee = "rssi.a" });
        assign.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await assign.ReadAsync()).GetProperty("assignee").GetString().ShouldBe("rssi.a");
        (await ListAsync(analyst, "?assignee=rssi.a")).GetProperty("items").Strings("rule_id").ShouldBe(["brute-force"]);

        // An officer of another region, a DPO on a security alert, a clinician: refused with the reason.
        var wrong = await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/assign", new { assignee = "rssi.b" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrong.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("cannot work on alert");
        (await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/assign", new { assignee = "dpo" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/assign", new { assignee = "doctor" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/assign", new { assignee = "nobody" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var privacy = IdOf(list, "no-care-relationship");
        (await analyst.PostAsJsonAsync($"/api/v1/alerts/{privacy}/assign", new { assignee = "dpo" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var comment = await analyst.PostAsJsonAsync($"/api/v1/alerts/{brute}/comments", new { text = "user called, says it was not them" });
        comment.StatusCode.ShouldBe(HttpStatusCode.Created);
        var detail = await (await analyst.GetAsync($"/api/v1/alerts/{brute}")).ReadAsync();
        detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ShouldBe(["created", "assigned", "commented"]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Metrics_give_time_to_acknowledge_and_close_per_establishment(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var id = IdOf(await ListAsync(analyst), "ransom-note");
        await analyst.PostAsJsonAsync($"/api/v1/alerts/{id}/close", new { resolution = "true_positive", reason = "confirmed" });
        var metrics = await (await analyst.GetAsync("/api/v1/alerts/metrics")).ReadAsync();
        var items = metrics.GetProperty("items").EnumerateArray().ToList();
        var b = items.Single(i => i.GetProperty("establishment").GetString() == "HOSP-B");
        b.GetProperty("alerts").GetInt32().ShouldBe(1);
        b.GetProperty("closed").GetInt32().ShouldBe(1);
        b.GetProperty("median_time_to_close_seconds").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        var a = items.Single(i => i.GetProperty("establishment").GetString() == "CHU-A");
        a.GetProperty("alerts").GetInt32().ShouldBe(2);
        a.GetProperty("closed").GetInt32().ShouldBe(0);
        a.GetProperty("median_time_to_close_seconds").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
