using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>Access decisions through the API: care relationships, break-the-glass, consent, labels, purpose, scopes, patients.</summary>
public sealed class AccessDecisionTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_care_relationship_permits_and_without_one_breaking_the_glass_is_asked_granted_for_days_and_reported(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);

        var (status, patient) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(200, patient.Issues());

        (status, var refusal) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(403);
        refusal.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        refusal.Issues().ShouldContain("no care relationship");
        Ward.Extension(refusal, "urn:vigie:break-the-glass-possible").ShouldBe("true");

        (status, var noReason) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "BTG" });
        status.ShouldBe(403);
        noReason.Issues().ShouldContain("X-Break-Glass-Reason");

        (status, _) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", Ward.BreakTheGlass);
        status.ShouldBe(200);
        // The grant holds for this patient without repeating the justification.
        (status, var observations) = await ward.Berrada.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}");
        status.ShouldBe(200, observations.Issues());
        observations.GetProperty("total").GetInt32().ShouldBe(1);

        var (grant, alert, ledger) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            return (await db.BreakGlassGrants.SingleAsync(), await db.SecurityEvents.SingleAsync(e => e.Type == SecurityEventType.BreakGlassGranted),
                await db.AuditLedger.OrderBy(e => e.Seq).ToListAsync());
        });
        (grant.ExpiresAt - grant.GrantedAt).ShouldBe(TimeSpan.FromDays(4));
        grant.Justification.ShouldBe("unconscious patient in the emergency room");
        var chu = await host.WithServicesAsync(async sp => await sp.GetRequiredService<VigieDbContext>().Establishments.SingleAsync(e => e.Code == "CHU-A"));
        alert.EstablishmentId.ShouldBe(chu.Id, "the patient's establishment is alerted");
        var glass = ledger.Single(e => e.Action == "break-glass");
        glass.UserName.ShouldBe("dr.berrada");
        glass.Justification.ShouldBe("unconscious patient in the emergency room");
        glass.PatientEstablishment.ShouldBe("CHU-A");
        var refused = ledger.First(e => e.UserName == "dr.berrada" && e.Action == "read");
        refused.Decision.ShouldBe("break-the-glass-required");
        refused.Status.ShouldBe(403);
        refused.CareRelationship.ShouldBe("none");
        ledger.Where(e => e.UserName == "dr.berrada" && e.Status == 200).ShouldAllBe(e => e.BreakGlass);
        var permitted = ledger.First(e => e.UserName == "dr.amrani" && e.Action == "read");
        permitted.CareRelationship.ShouldBe("encounter");
        var flags = (PrivacyFlags)permitted.PrivacyFlags;
        flags.HasFlag(PrivacyFlags.SameFamilyName).ShouldBeTrue("Dr Amrani and Khadija Amrani share a family name");
        flags.HasFlag(PrivacyFlags.SameAddress).ShouldBeTrue("they share an address");
        flags.HasFlag(PrivacyFlags.SameEstablishment).ShouldBeTrue();
        ((PrivacyFlags)refused.PrivacyFlags).HasFlag(PrivacyFlags.SameEstablishment).ShouldBeFalse();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patients_refusal_stops_even_their_care_team_until_the_glass_is_broken(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        var khadija = await host.FhirClientAsync("khadija");
        var consent = $$$"""
            {"resourceType":"Consent","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
             "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],"patient":{"reference":"Patient/{{{ward.PatientId}}}"},
             "policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTOUT"}]},
             "provision":{"type":"deny","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"PRCP"}]},"reference":{"reference":"Practitioner/{{{ward.PractitionerId}}}"}}],
               "class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}]}}
            """;
        var (status, body) = await khadija.SendAsync(HttpMethod.Post, "/fhir/Consent", consent);
        status.ShouldBe(201, body.Issues());

        (status, var refusal) = await ward.Amrani.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}");
        status.ShouldBe(403);
        refusal.Issues().ShouldContain("consent refuses");
        // The refusal names Observations only: the patient's demographics stay open to her care team.
        (status, _) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(200);
        (status, var broken) = await ward.Amrani.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}", Ward.BreakTheGlass);
        status.ShouldBe(200, broken.Issues());
        broken.GetProperty("total").GetInt32().ShouldBe(1);

        // A search that breaks the glass is in the ledger like a read that does: the search, and the break itself.
        var ledger = await host.WithServicesAsync(async sp =>
            await sp.GetRequiredService<VigieDbContext>().AuditLedger.Where(e => e.UserName == "dr.amrani").OrderBy(e => e.Seq).ToListAsync());
        var glass = ledger.Where(e => e.Action == "break-glass").ShouldHaveSingleItem();
        glass.Justification.ShouldBe("unconscious patient in the emergency room");
        glass.PatientId.ShouldBe(ward.PatientId);
        var search = ledger.Last(e => e.Action == "search");
        search.Status.ShouldBe(200);
        search.BreakGlass.ShouldBeTrue();
        search.Seq.ShouldBeLessThan(glass.Seq);
    }

    [SkippableFact]
    public async Task Very_restricted_data_needs_relationship_and_consent_and_is_withheld_from_searches()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var ward = await Ward.AdmitAsync(host);
        var hiv = $$$"""
            {"resourceType":"Observation","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"},{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},
             "status":"final","code":{"coding":[{"system":"http://loinc.org","code":"7917-8","display":"HIV 1 Ab"}]},"subject":{"reference":"Patient/{{{ward.PatientId}}}"},"valueString":"positive"}
            """;
        // The laboratory's clinician writes it under a break of the glass; Dr Amrani cares for the patient but holds no grant.
        var (status, created) = await ward.Berrada.SendAsync(HttpMethod.Post, "/fhir/Observation", hiv, Ward.BreakTheGlass);
        status.ShouldBe(201, created.Issues());
        (status, var refusal) = await ward.Amrani.GetFhirAsync($"/fhir/Observation/{created.GetProperty("id").GetString()}");
        status.ShouldBe(403);
        refusal.Issues().ShouldContain("very restricted");
        (status, var search) = await ward.Amrani.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}");
        status.ShouldBe(200);
        search.GetProperty("total").GetInt32().ShouldBe(2);
        var entries = search.GetProperty("entry").EnumerateArray().ToList();
        entries.Count(e => e.GetProperty("search").GetProperty("mode").GetString() == "match").ShouldBe(1);
        entries.Single(e => e.GetProperty("search").GetProperty("mode").GetString() == "outcome").GetProperty("resource").Issues().ShouldContain("break-the-glass required");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patient_reads_only_their_record_and_sees_who_accessed_it_from_where_and_why(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", Ward.BreakTheGlass);
        var khadija = await host.FhirClientAsync("khadija");

        var (status, own) = await khadija.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(200, own.Issues());
        (status, _) = await khadija.GetFhirAsync($"/fhir/Practitioner/{ward.PractitionerId}");
        status.ShouldBe(403);
        (status, var others) = await khadija.GetFhirAsync("/fhir/Patient?name=amrani");
        (status == 403 || others.GetProperty("entry").EnumerateArray().All(e => e.GetProperty("resource").GetProperty("id").GetString() == ward.PatientId)).ShouldBeTrue();

        (status, var report) = await khadija.GetFhirAsync($"/fhir/AuditEvent?patient={ward.PatientId}&_count=100");
        status.ShouldBe(200, report.Issues());
        var events = report.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
        var readers = events.Select(e => e.GetProperty("agent")[0].GetProperty("who").GetProperty("identifier").GetProperty("value").GetString()).ToHashSet();
        readers.ShouldContain("dr.amrani");
        readers.ShouldContain("dr.berrada");
        var berrada = events.First(e => e.GetProperty("agent")[0].GetProperty("who").GetProperty("identifier").GetProperty("value").GetString() == "dr.berrada" &&
                                        e.GetProperty("outcome").GetString() == "0");
        berrada.GetProperty("agent")[1].GetProperty("who").GetProperty("display").GetString().ShouldBe("Hospital B");
        berrada.GetProperty("purposeOfEvent")[0].GetProperty("coding")[0].GetProperty("code").GetString().ShouldBe("BTG");
        berrada.GetProperty("purposeOfEvent")[0].GetProperty("text").GetString()!.ShouldContain("unconscious patient");
        berrada.GetProperty("recorded").GetString().ShouldNotBeNullOrEmpty();

        (status, _) = await khadija.GetFhirAsync("/fhir/AuditEvent?_count=5");
        status.ShouldBe(403, "a patient sees the accesses to their own record only");
        (status, _) = await ward.Amrani.GetFhirAsync($"/fhir/AuditEvent?patient={ward.PatientId}");
        status.ShouldBe(403, "clinicians do not read the audit trail");
    }

    [SkippableFact]
    public async Task Purpose_scopes_and_roles_limit_what_a_token_can_do()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var ward = await Ward.AdmitAsync(host);
        var (status, bad) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "CURIOSITY" });
        status.ShouldBe(400);
        bad.Issues().ShouldContain("X-Purpose-Of-Use");
        (status, var research) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "HRESCH" });
        status.ShouldBe(403);
        research.Issues().ShouldContain("HRESCH");
        var viaClaim = await host.FhirClientAsync("dr.amrani", purpose: "HPAYMT");
        (status, _) = await viaClaim.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(403);

        var scoped = await host.FhirClientAsync("dr.amrani", scope: "user/Observation.rs");
        (status, _) = await scoped.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}");
        status.ShouldBe(200);
        (status, var outOfScope) = await scoped.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(403);
        outOfScope.Issues().ShouldContain("SMART scopes");
        (status, _) = await scoped.SendAsync(HttpMethod.Post, "/fhir/Observation",
            $$$"""{"resourceType":"Observation","status":"final","code":{"text":"note"},"subject":{"reference":"Patient/{{{ward.PatientId}}}"}}""");
        status.ShouldBe(403, "rs grants no create");
        var badScope = await host.Client.PostAsync("/api/v1/auth/token", RecordsHost.Fhir("""{"username":"dr.amrani","password":"correct-horse-battery","scope":"everything"}"""));
        ((int)badScope.StatusCode).ShouldBe(400);

        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        var admin = await host.FhirClientAsync("admin");
        (status, var adminRefusal) = await admin.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(403);
        Ward.Extension(adminRefusal, "urn:vigie:break-the-glass-possible").ShouldBe("false");
    }
}

/// <summary>The ledger as detection receives it: ECS events with the privacy facts, forwarded like an outbox.</summary>
public sealed class LedgerEventTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Entries_become_ECS_events_with_their_privacy_facts_and_are_marked_forwarded_without_breaking_the_chain(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", Ward.BreakTheGlass);
        // Read from the ledger itself: the server's own forwarder may already have taken these entries.
        var entries = await host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().AuditLedger.AsNoTracking().OrderBy(e => e.Seq).ToListAsync());
        var events = entries.Select(e => JsonDocument.Parse(LedgerEcsJson.ToEcs(e)).RootElement.Clone()).ToList();
        var amrani = events.First(e => e.TryGetProperty("user", out var u) && u.GetProperty("name").GetString() == "dr.amrani" && e.GetProperty("event").GetProperty("action").GetString() == "read");
        amrani.GetProperty("event").GetProperty("dataset").GetString().ShouldBe("vigie.records");
        amrani.GetProperty("event").GetProperty("outcome").GetString().ShouldBe("success");
        amrani.GetProperty("organization").GetProperty("id").GetString().ShouldBe("CHU-A");
        amrani.GetProperty("vigie").GetProperty("patient").GetProperty("id").GetString()!.ShouldStartWith("pseudo:");
        amrani.GetProperty("vigie").GetProperty("access").GetProperty("decision").GetString().ShouldBe("permit");
        amrani.GetProperty("vigie").GetProperty("privacy").GetProperty("care_relationship").GetString().ShouldBe("encounter");
        amrani.GetProperty("vigie").GetProperty("privacy").GetProperty("same_family_name").GetBoolean().ShouldBeTrue();
        var glass = events.Single(e => e.GetProperty("event").GetProperty("action").GetString() == "break-glass");
        glass.GetProperty("vigie").GetProperty("access").GetProperty("break_glass").GetBoolean().ShouldBeTrue();
        glass.GetProperty("vigie").GetProperty("privacy").GetProperty("same_establishment").GetBoolean().ShouldBeFalse();
        events.ShouldAllBe(e => !e.GetRawText().Contains("Khadija"));

        await host.WithServicesAsync(sp => sp.GetRequiredService<LedgerEvents>().MarkForwardedAsync(entries[^1].Seq));
        (await host.WithServicesAsync(sp => sp.GetRequiredService<LedgerEvents>().PendingAsync(1000))).Where(e => e.Seq <= entries[^1].Seq).ShouldBeEmpty();
        var verification = await host.WithServicesAsync(sp => sp.GetRequiredService<LedgerVerifier>().VerifyAsync(sp.GetRequiredService<LedgerSigner>().PublicKey()));
        verification.Intact.ShouldBeTrue(verification.Message);
    }
}
