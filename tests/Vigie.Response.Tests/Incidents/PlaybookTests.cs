using System.Net;
using System.Net.Http.Json;
using Vigie.Core;
using Vigie.Core.Identity;
using Vigie.Core.Incidents;
using Vigie.Server.Tests.Support;

namespace Vigie.Response.Tests.Incidents;

public sealed class PlaybookTests
{
    [Fact]
    public void Vigie_ships_a_playbook_for_every_kind_of_incident_named_in_the_issue()
    {
        var types = PlaybookLibrary.Shipped.Values.Select(p => p.Type).ToList();
        foreach (var type in new[] { IncidentType.Ransomware, IncidentType.PatientDataBreach, IncidentType.Phishing, IncidentType.InsiderSnooping,
            IncidentType.MedicalDeviceCompromise, IncidentType.DenialOfService })
            types.ShouldContain(type);
        PlaybookLibrary.Shipped.Values.ShouldAllBe(p => p.Tasks.Count >= 5);
    }

    [Theory]
    [InlineData("id: x\ntitle: X\n", "'tasks' must be a non-empty list")]
    [InlineData("id: x\ntitle: X\ntasks:\n  - phase: panic\n    title: run\n", "line 4: phase 'panic' is unknown")]
    [InlineData("id: x\ntitle: X\nincident_type: flood\ntasks:\n  - phase: recovery\n    title: dry\n", "incident_type 'flood' is unknown")]
    [InlineData("id: X Y\ntitle: X\ntasks:\n  - phase: recovery\n    title: t\n", "must be lower-case letters")]
    [InlineData("id: x\ntitle: [unclosed\n", "line 3: While parsing a flow sequence")]
    public void A_malformed_playbook_is_refused_with_the_line_and_the_reason(string yaml, string expected)
    {
        Should.Throw<VigieException>(() => PlaybookLibrary.Parse(yaml, "playbook 'x'")).Message.ShouldContain(expected);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_installation_edits_a_playbook_and_new_incidents_follow_its_version_until_reset(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        await host.AddUserAsync("rssi", Roles.SecurityOfficer, "CHU-A");
        using var analyst = await host.SignedInAsync("analyst");
        var list = await (await analyst.GetAsync("/api/v1/playbooks")).ReadAsync();
        list.GetProperty("items").GetArrayLength().ShouldBe(6);

        const string yaml = "id: phishing\ntitle: Phishing (CHU procedure)\nincident_type: phishing\ntasks:\n  - phase: identification\n    title: Call the CHU's messaging team\n  - phase: containment\n    title: Purge the message\n";
        var saved = await analyst.PutAsJsonAsync("/api/v1/playbooks/phishing", new { yaml });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        (await saved.ReadAsync()).GetProperty("customised").GetBoolean().ShouldBeTrue();
        var incident = await (await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "Phish", type = "phishing", establishment = "CHU-A" })).ReadAsync();
        incident.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("title").GetString()).ShouldBe(["Call the CHU's messaging team", "Purge the message"]);

        var mismatch = await analyst.PutAsJsonAsync("/api/v1/playbooks/ransomware", new { yaml });
        mismatch.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await mismatch.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("not 'ransomware'");
        using var officer = await host.SignedInAsync("rssi");
        (await officer.PutAsJsonAsync("/api/v1/playbooks/phishing", new { yaml })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await officer.GetAsync("/api/v1/playbooks/phishing")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await analyst.DeleteAsync("/api/v1/playbooks/phishing")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await analyst.DeleteAsync("/api/v1/playbooks/phishing")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var shipped = await (await analyst.GetAsync("/api/v1/playbooks/phishing")).ReadAsync();
        shipped.GetProperty("customised").GetBoolean().ShouldBeFalse();
        shipped.GetProperty("title").GetString().ShouldBe("Phishing");
    }
}
