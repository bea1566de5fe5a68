using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Incidents;

public sealed class IncidentApiTests
{
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
        var t = Detections.Start;
        await host.AddDetectionsAsync(
            Detections.Make("ransom-note", t, chu, "svc-files", SigmaLevel.Critical, ["attack.impact", "attack.t1486"], new Dictionary<string, string>
            {
                ["host.name"] = "FS-01",
                ["source.ip"] = "10.20.0.15",
                ["file.hash.sha256"] = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
                ["url.full"] = "https://pay-me.example.org/key",
            }, "Ransom note written"),
            Detections.Make("mass-rename", t.AddMinutes(3), chu, "svc-files", SigmaLevel.High, ["attack.t1486"], new Dictionary<string, string> { ["host.name"] = "FS-01" }, "Mass file rename"),
            Detections.Make("no-care-relationship", t.AddMinutes(5), chu, "dr.x", SigmaLevel.Medium, ["attack.t1213"], new Dictionary<string, string>
            {
                ["event.dataset"] = "vigie.records",
                ["vigie.patient.id"] = "NHI-000123",
            }, "Record opened without a care relationship"));
        return host;
    }

    private static async Task<long> AlertIdAsync(HttpClient client, string ruleId)
    {
        var list = await (await client.GetAsync("/api/v1/alerts?rule_id=" + ruleId)).ReadAsync();
        return list.GetProperty("items")[0].GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/incidents", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_incident_opened_from_alerts_has_playbook_tasks_observables_and_a_timeline(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var ransom = await AlertIdAsync(analyst, "ransom-note");
        var rename = await AlertIdAsync(analyst, "mass-rename");
        var incident = await CreateAsync(analyst, new { title = "Ransomware on the file server of CHU A", alert_ids = new[] { ransom, rename }, severity = "critical" });

        incident.GetProperty("id").GetInt64().ShouldBeGreaterThan(0);
        incident.GetProperty("type").GetString().ShouldBe("ransomware");
        incident.GetProperty("severity").GetString().ShouldBe("critical");
        incident.GetProperty("status").GetString().ShouldBe("open");
        incident.GetProperty("establishment").GetString().ShouldBe("CHU-A");
        incident.GetProperty("tlp").GetString().ShouldBe("TLP:AMBER");
        incident.GetProperty("playbook").GetString().ShouldBe("ransomware");
        var tasks = incident.GetProperty("tasks").EnumerateArray().ToList();
        tasks.Count.ShouldBeGreaterThan(5);
        tasks.ShouldContain(t => t.GetProperty("title").GetString() == "Isolate affected hosts from the network" && t.GetProperty("phase").GetString() == "containment");
        tasks.ShouldAllBe(t => t.GetProperty("status").GetString() == "todo");

        var observables = incident.GetProperty("observables").EnumerateArray().Select(o => (o.GetProperty("kind").GetString(), o.GetProperty("value").GetString())).ToList();
        observables.ShouldContain(("host", "fs-01"));
        observables.ShouldContain(("address", "10.20.0.15"));
        observables.ShouldContain(("account", "svc-files"));
        observables.ShouldContain(("hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        observables.ShouldContain(("url", "https://pay-me.example.org/key"));
        incident.GetProperty("observables").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "host").GetProperty("sightings").GetInt32().ShouldBe(2);

        var timeline = incident.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
        timeline[0].ShouldStartWith($"Alert {ransom} first seen: Ransom note written");
        timeline.ShouldContain(e => e.StartsWith("Incident opened by analyst", StringComparison.Ordinal));
        incident.GetProperty("clocks").GetArrayLength().ShouldBe(0);
        incident.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("status").GetString()).ShouldAllBe(s => s == "acknowledged");

        // The alerts now point to the incident, and cannot be taken into a second one.
        var alert = await (await analyst.GetAsync($"/api/v1/alerts/{ransom}")).ReadAsync();
        alert.GetProperty("incident_id").GetInt64().ShouldBe(incident.GetProperty("id").GetInt64());
        var again = await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "again", alert_ids = new[] { ransom } });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.ReadAsync()).GetProperty("detail").GetString().ShouldBe($"alert {ransom} is already part of incident {incident.GetProperty("id").GetInt64()}");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_privacy_alert_makes_an_insider_snooping_incident_with_the_patient_only_pseudonymised(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var incident = await CreateAsync(analyst, new { title = "Dr X reads records of patients not in care", alert_ids = new[] { await AlertIdAsync(analyst, "no-care-relationship") } });
        incident.GetProperty("type").GetString().ShouldBe("insider-snooping");
        incident.GetProperty("personal_data").GetBoolean().ShouldBeTrue();
        var patient = incident.GetProperty("observables").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "patient");
        patient.GetProperty("value").GetString()!.ShouldStartWith("pp_");
        incident.GetRawText().ShouldNotContain("NHI-000123");

        // Adding the same patient by hand finds the same pseudonym.
        var id = incident.GetProperty("id").GetInt64();
        var dup = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/observables", new { kind = "patient", value = "NHI-000123" });
        dup.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var other = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/observables", new { kind = "patient", value = "NHI-000999" });
        other.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await other.ReadAsync()).GetProperty("value").GetString()!.ShouldStartWith("pp_");
        var bad = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/observables", new { kind = "address", value = "not-an-ip" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("not an IP address");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Qualifying_starts_the_clocks_that_apply_with_their_deadlines(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var incident = await CreateAsync(analyst, new { title = "Patient records exfiltrated", alert_ids = new[] { await AlertIdAsync(analyst, "ransom-note") }, type = "patient-data-breach" });
        var id = incident.GetProperty("id").GetInt64();

        var response = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/qualify", new
        {
            personal_data = true,
            eu_residents = true,
            people_affected = 1200,
            records_affected = 5000,
            high_risk = true,
            nature = "Encryption and exfiltration of the radiology share",
            contact = "dpo@chu-a.example",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var qualified = await response.ReadAsync();
        var clocks = qualified.GetProperty("clocks").EnumerateArray().ToList();
        foreach (var clock in clocks)
        {
            clock.TryGetProperty("regulation", out _).ShouldBeTrue();
            clock.TryGetProperty("deadline", out _).ShouldBeTrue();
            clock.GetProperty("status").GetString().ShouldBe("running");
        }
        clocks.Select(c => c.GetProperty("regulation").GetString()).ShouldBe(["loi-05-20", "gdpr-art33", "gdpr-art34", "loi-09-08"], ignoreOrder: true);
        var started = DateTimeOffset.Parse(clocks[0].GetProperty("started_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        DateTimeOffset Deadline(string regulation) => DateTimeOffset.Parse(clocks.Single(c => c.GetProperty("regulation").GetString() == regulation).GetProperty("deadline").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        (Deadline("loi-05-20") - started).ShouldBe(TimeSpan.FromHours(24));
        (Deadline("gdpr-art33") - started).ShouldBe(TimeSpan.FromHours(72));
        clocks.Single(c => c.GetProperty("regulation").GetString() == "gdpr-art33").GetProperty("time_left_seconds").GetInt64().ShouldBeInRange(71 * 3600, 72 * 3600);
        // Shown in the establishment's zone.
        clocks[0].GetProperty("deadline").GetString()!.ShouldEndWith("+01:00");
        qualified.GetProperty("qualification").GetProperty("people_affected").GetInt32().ShouldBe(1200);

        // Recording the GDPR notification stops that clock; recording it twice is refused.
        var sent = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/notifications/gdpr-art33", new { reference = "CNIL-2026-0042" });
        sent.StatusCode.ShouldBe(HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        var after = (await sent.ReadAsync()).GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("regulation").GetString() == "gdpr-art33");
        after.GetProperty("status").GetString().ShouldBe("met");
        after.GetProperty("reference").GetString().ShouldBe("CNIL-2026-0042");
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/notifications/gdpr-art33", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/notifications/hipaa-hhs", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var bad = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/qualify", new { personal_data = true, people_affected = "many" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var missing = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/qualify", new { eu_residents = true });
        (await missing.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("personal_data");
        var contradictory = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/qualify", new { personal_data = false, eu_residents = true });
        contradictory.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Notifications_are_drafted_from_the_case_in_Markdown_and_PDF(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var incident = await CreateAsync(analyst, new { title = "Fuite de dossiers de radiologie", alert_ids = new[] { await AlertIdAsync(analyst, "ransom-note") }, type = "patient-data-breach" });
        var id = incident.GetProperty("id").GetInt64();
        var draftBefore = await analyst.GetAsync($"/api/v1/incidents/{id}/notifications/gdpr-art33");
        draftBefore.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await draftBefore.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("not qualified");

        var task = incident.GetProperty("tasks")[2].GetProperty("id").GetInt64();
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/tasks/{task}", new { status = "done", note = "link revoked" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/qualify", new
        {
            personal_data = true,
            eu_residents = true,
            people_affected = 1200,
            records_affected = 5000,
            nature = "Images et comptes rendus de radiologie exposés par un partage mal configuré",
            categories_of_people = new[] { "patients" },
            categories_of_data = new[] { "imagerie", "comptes rendus" },
            consequences = "Divulgation de données de santé",
            measures = "Partage fermé le jour même",
            contact = "DPO du CHU A, dpo@chu-a.example",
        });

        var md = await analyst.GetAsync($"/api/v1/incidents/{id}/notifications/gdpr-art33");
        md.StatusCode.ShouldBe(HttpStatusCode.OK);
        md.Content.Headers.ContentType!.MediaType.ShouldBe("text/markdown");
        var text = await md.Content.ReadAsStringAsync();
        text.ShouldContain("# Notification of the personal-data breach to the supervisory authority");
        text.ShouldContain("TLP:AMBER");
        text.ShouldContain("Images et comptes rendus de radiologie exposés");
        text.ShouldContain("about 1,200");
        text.ShouldContain("about 5,000");
        text.ShouldContain("DPO du CHU A, dpo@chu-a.example");
        text.ShouldContain("Divulgation de données de santé");
        text.ShouldContain("Partage fermé le jour même");
        text.ShouldContain("- Done (");
        text.ShouldNotContain("NHI-");

        var declaration = await (await analyst.GetAsync($"/api/v1/incidents/{id}/notifications/loi-05-20")).Content.ReadAsStringAsync();
        declaration.ShouldContain("# Déclaration d'incident de cybersécurité");
        declaration.ShouldContain("loi n° 05-20");
        declaration.ShouldContain("environ 1");

        var pdf = await analyst.GetAsync($"/api/v1/incidents/{id}/notifications/loi-05-20?format=pdf");
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Encoding.ASCII.GetString(bytes, 0, 5).ShouldBe("%PDF-");
        Skip.If(!File.Exists("/usr/bin/pdftotext"), "pdftotext is not installed (Debian package poppler-utils); the PDF's text is not checked");
        var file = Path.Combine(TestEnvironment.NewTempDirectory(), "draft.pdf");
        await File.WriteAllBytesAsync(file, bytes);
        var run = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/pdftotext", [file, "-"]) { RedirectStandardOutput = true })!;
        var extracted = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        extracted.ShouldContain("Déclaration d'incident de cybersécurité");
        extracted.ShouldContain("Images et comptes rendus de radiologie exposés");
        extracted.ShouldContain("DGSSI");
        (await analyst.GetAsync($"/api/v1/incidents/{id}/notifications/loi-05-20?format=docx")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Roles_and_scope_decide_who_sees_and_changes_an_incident(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var security = (await CreateAsync(analyst, new { title = "Ransomware", alert_ids = new[] { await AlertIdAsync(analyst, "ransom-note") } })).GetProperty("id").GetInt64();
        var privacy = (await CreateAsync(analyst, new { title = "Snooping", alert_ids = new[] { await AlertIdAsync(analyst, "no-care-relationship") } })).GetProperty("id").GetInt64();

        using var officerA = await host.SignedInAsync("rssi.a");
        (await officerA.GetAsync($"/api/v1/incidents/{security}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await officerA.PostAsJsonAsync($"/api/v1/incidents/{security}/contain", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var officerB = await host.SignedInAsync("rssi.b");
        (await officerB.GetAsync($"/api/v1/incidents/{security}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await officerB.GetAsync("/api/v1/incidents")).ReadAsync()).GetProperty("items").GetArrayLength().ShouldBe(0);
        (await officerB.PostAsJsonAsync("/api/v1/incidents", new { title = "x", establishment = "CHU-A" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var dpo = await host.SignedInAsync("dpo");
        var dpoList = (await (await dpo.GetAsync("/api/v1/incidents")).ReadAsync()).GetProperty("items");
        dpoList.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldBe([privacy]);
        (await dpo.GetAsync($"/api/v1/incidents/{security}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await dpo.PostAsJsonAsync($"/api/v1/incidents/{privacy}/qualify", new { personal_data = true, people_affected = 3 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await dpo.GetAsync($"/api/v1/incidents/{privacy}/notifications/loi-09-08")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await dpo.PostAsJsonAsync($"/api/v1/incidents/{privacy}/comments", new { text = "HR informed" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var contain = await dpo.PostAsJsonAsync($"/api/v1/incidents/{privacy}/contain", new { });
        contain.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var addTask = await dpo.PostAsJsonAsync($"/api/v1/incidents/{privacy}/tasks", new { phase = "containment", title = "x" });
        addTask.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await dpo.PostAsJsonAsync("/api/v1/incidents", new { title = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Assigned only to a responder who covers the incident: the region's officer, not another region's, a DPO or a clinician.
        var assign = await analyst.PostAsJsonAsync($"/api/v1/incidents/{security}/assign", new { assignee = "rssi.a" });
        assign.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await assign.ReadAsync()).GetProperty("assignee").GetString().ShouldBe("rssi.a");
        foreach (var who in new[] { "rssi.b", "dpo", "doctor" })
        {
            var refused = await analyst.PostAsJsonAsync($"/api/v1/incidents/{security}/assign", new { assignee = who });
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refused.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("cannot work on incident");
        }
        (await (await analyst.GetAsync($"/api/v1/incidents/{security}")).ReadAsync()).GetProperty("assignee").GetString().ShouldBe("rssi.a");

        using var doctor = await host.SignedInAsync("doctor");
        (await doctor.GetAsync("/api/v1/incidents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await doctor.GetAsync($"/api/v1/incidents/{privacy}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Transitions_that_are_not_allowed_answer_409_naming_the_allowed_ones(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var id = (await CreateAsync(analyst, new { title = "Phishing wave", type = "phishing", tlp = "TLP:GREEN", pap = "amber" })).GetProperty("id").GetInt64();
        var closeWithoutReason = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { });
        closeWithoutReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.ReadAsync()).GetProperty("detail").GetString().ShouldBe($"incident {id} is contained: it cannot be contained; allowed: close");
        var closed = await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { reason = "mailboxes cleaned, passwords reset" });
        (await closed.ReadAsync()).GetProperty("allowed_actions").EnumerateArray().Select(a => a.GetString()).ShouldBe(["reopen"]);

        (await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "x", severity = "apocalyptic" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "x", tlp = "purple" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "x", type = "alien-invasion" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync("/api/v1/incidents", new { alert_ids = new long[0] })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync("/api/v1/incidents", new { title = "x", alert_ids = new[] { 987654 } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsync("/api/v1/incidents", new StringContent("{\"title\": [", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.GetAsync("/api/v1/incidents?status=pending")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/tasks", new { phase = "panic", title = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Evidence_is_hashed_size_limited_and_every_access_is_in_its_chain_of_custody(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider, new Dictionary<string, string?> { ["evidence_max_bytes"] = "4096" });
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        using var analyst = await host.SignedInAsync("analyst");
        var id = (await CreateAsync(analyst, new { title = "Phishing", type = "phishing", establishment = "CHU-A" })).GetProperty("id").GetInt64();

        var content = Encoding.UTF8.GetBytes("From: attacker@example.org\r\nSubject: Mise à jour de votre mot de passe\r\n\r\nCliquez ici.");
        var upload = await analyst.PostAsync($"/api/v1/incidents/{id}/evidence?name=phish.eml&description=original%20message",
            new ByteArrayContent(content) { Headers = { ContentType = new("message/rfc822") } });
        upload.StatusCode.ShouldBe(HttpStatusCode.Created, await upload.Content.ReadAsStringAsync());
        var evidence = await upload.ReadAsync();
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        evidence.GetProperty("sha256").GetString().ShouldBe(expected);
        evidence.GetProperty("size").GetInt64().ShouldBe(content.Length);
        var evidenceId = evidence.GetProperty("id").GetInt64();

        var download = await analyst.GetAsync($"/api/v1/incidents/{id}/evidence/{evidenceId}?purpose=analysis");
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(content);
        download.Headers.GetValues("X-Content-SHA256").Single().ShouldBe(expected);
        var verify = await (await analyst.PostAsync($"/api/v1/incidents/{id}/evidence/{evidenceId}/verify", null)).ReadAsync();
        verify.GetProperty("intact").GetBoolean().ShouldBeTrue();
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/evidence/{evidenceId}/transfer", new { to = "Police judiciaire, Rabat", reason = "complaint filed" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{id}/evidence/{evidenceId}/transfer", new { to = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var custody = await (await analyst.GetAsync($"/api/v1/incidents/{id}/evidence/{evidenceId}/custody")).ReadAsync();
        var entries = custody.GetProperty("custody").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("action").GetString()).ShouldBe(["collected", "downloaded", "verified", "transferred"]);
        entries.ShouldAllBe(e => e.GetProperty("actor").GetString() == "analyst" && e.GetProperty("sha256").GetString() == expected);
        entries[1].GetProperty("detail").GetString().ShouldBe("analysis");
        entries[3].GetProperty("detail").GetString()!.ShouldContain("Police judiciaire, Rabat");

        var tooBig = await analyst.PostAsync($"/api/v1/incidents/{id}/evidence?name=disk.img", new ByteArrayContent(new byte[5000]));
        tooBig.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await analyst.PostAsync($"/api/v1/incidents/{id}/evidence?name=empty.txt", new ByteArrayContent([]))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsync($"/api/v1/incidents/{id}/evidence", new ByteArrayContent([1, 2, 3]))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.GetAsync($"/api/v1/incidents/{id}/evidence/999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var detail = await (await analyst.GetAsync($"/api/v1/incidents/{id}")).ReadAsync();
        detail.GetProperty("evidence")[0].GetProperty("name").GetString().ShouldBe("phish.eml");
        detail.GetProperty("timeline").EnumerateArray().ShouldContain(e => e.GetProperty("text").GetString()!.Contains(expected, StringComparison.Ordinal));
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Incidents_merge_into_one_and_split_apart(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var ransom = await AlertIdAsync(analyst, "ransom-note");
        var rename = await AlertIdAsync(analyst, "mass-rename");
        var first = (await CreateAsync(analyst, new { title = "Ransom note on FS-01", alert_ids = new[] { ransom } })).GetProperty("id").GetInt64();
        var second = (await CreateAsync(analyst, new { title = "Renames on FS-01", alert_ids = new[] { rename }, playbook = "none" })).GetProperty("id").GetInt64();
        await analyst.PostAsJsonAsync($"/api/v1/incidents/{second}/comments", new { text = "started at 09:03" });

        var merged = await analyst.PostAsJsonAsync($"/api/v1/incidents/{first}/merge", new { incident_ids = new[] { second } });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        var target = await merged.ReadAsync();
        target.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ShouldBe([ransom, rename], ignoreOrder: true);
        target.GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ShouldContain("started at 09:03");
        target.GetProperty("observables").EnumerateArray().Single(o => o.GetProperty("kind").GetString() == "host").GetProperty("sightings").GetInt32().ShouldBe(2);
        var source = await (await analyst.GetAsync($"/api/v1/incidents/{second}")).ReadAsync();
        source.GetProperty("status").GetString().ShouldBe("closed");
        source.GetProperty("merged_into").GetInt64().ShouldBe(first);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{first}/merge", new { incident_ids = new[] { second } })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{first}/merge", new { incident_ids = new[] { first } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var split = await analyst.PostAsJsonAsync($"/api/v1/incidents/{first}/split", new { alert_ids = new[] { rename }, title = "Renames were a backup job" });
        split.StatusCode.ShouldBe(HttpStatusCode.Created, await split.Content.ReadAsStringAsync());
        var created = await split.ReadAsync();
        created.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ShouldBe([rename]);
        created.GetProperty("title").GetString().ShouldBe("Renames were a backup job");
        var remaining = await (await analyst.GetAsync($"/api/v1/incidents/{first}")).ReadAsync();
        remaining.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ShouldBe([ransom]);
        remaining.GetProperty("timeline").EnumerateArray().ShouldContain(e => e.GetProperty("text").GetString() == $"The split incident is incident {created.GetProperty("id").GetInt64()}");
        (await analyst.PostAsJsonAsync($"/api/v1/incidents/{first}/split", new { alert_ids = new[] { ransom }, title = "all" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Metrics_count_incidents_by_type_severity_and_establishment_with_their_durations(string provider)
    {
        await using var host = await StartAsync(provider);
        using var analyst = await host.SignedInAsync("analyst");
        var ransomware = (await CreateAsync(analyst, new { title = "Ransomware", alert_ids = new[] { await AlertIdAsync(analyst, "ransom-note") } })).GetProperty("id").GetInt64();
        await CreateAsync(analyst, new { title = "Snooping", alert_ids = new[] { await AlertIdAsync(analyst, "no-care-relationship") } });
        await analyst.PostAsJsonAsync($"/api/v1/incidents/{ransomware}/contain", new { });
        await analyst.PostAsJsonAsync($"/api/v1/incidents/{ransomware}/close", new { reason = "restored" });

        var m = await (await analyst.GetAsync("/api/v1/incidents/metrics")).ReadAsync();
        m.GetProperty("incidents").GetInt32().ShouldBe(2);
        m.GetProperty("closed").GetInt32().ShouldBe(1);
        m.GetProperty("by_type").GetProperty("ransomware").GetInt32().ShouldBe(1);
        m.GetProperty("by_type").GetProperty("insider-snooping").GetInt32().ShouldBe(1);
        m.GetProperty("by_severity").GetProperty("critical").GetInt32().ShouldBe(1);
        m.GetProperty("by_establishment").GetProperty("CHU-A").GetInt32().ShouldBe(2);
        m.GetProperty("time_to_contain").GetProperty("count").GetInt32().ShouldBe(1);
        m.GetProperty("time_to_close").GetProperty("count").GetInt32().ShouldBe(1);
        // The alerts' events happened at 09:00 on 4 May 2026, long before they were raised in this test.
        m.GetProperty("time_to_detect").GetProperty("median_seconds").GetDouble().ShouldBeGreaterThan(3600);
    }
}
