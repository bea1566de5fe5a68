using System.Net;
using System.Text;
using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// The records gateway across establishments: the FHIR routes take any signed-in user and let the access policy
/// decide, so each role of one establishment is tried on the other establishment's patient records and audit
/// trail. Clinicians without a care relationship are asked to break the glass; no other role reads a record;
/// patients read only their own; the audit trail shows each establishment only its own accesses.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class FhirScopeTests(SecurityWorlds worlds)
{
    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string url, string? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/fhir+json");
        return await (await client.SendAsync(request)).ReadAllAsync();
    }

    /// <summary>Reads of the other side's record, resource by resource, version by version.</summary>
    private static IEnumerable<string> RecordReads(SecurityWorld.Side them) =>
    [
        $"/fhir/Patient/{them.PatientId}",
        $"/fhir/Patient/{them.PatientId}/_history",
        $"/fhir/Patient/{them.PatientId}/_history/1",
        $"/fhir/Observation/{them.ObservationId}",
        $"/fhir/Encounter/{them.EncounterId}",
        $"/fhir/Observation?patient={them.PatientId}",
        $"/fhir/Encounter?subject=Patient/{them.PatientId}",
        $"/fhir/Patient/{them.LonePatientId}",
    ];

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task No_one_of_one_establishment_reads_the_other_establishments_records_without_breaking_the_glass(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            foreach (var (user, role) in me.People.Append((SecurityWorld.Partner, Roles.Partner)))
            {
                using var client = await w.ClientAsync(user);
                foreach (var url in RecordReads(them))
                {
                    var (status, body) = await SendAsync(client, HttpMethod.Get, url);
                    if (status != HttpStatusCode.Forbidden)
                        failures.Add($"{user} ({role}): GET {url} answered {(int)status}, not 403: {Leaks.Cut(body)}");
                    failures.Check(body, them, $"{user} ({role}): GET {url}", them.PatientId, them.ObservationId, them.EncounterId, them.LonePatientId);
                    if (role == Roles.Clinician && !body.Contains("break-the-glass-required", StringComparison.Ordinal))
                        failures.Add($"{user}: GET {url} does not offer to break the glass: {Leaks.Cut(body)}");
                }
            }
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task No_one_of_one_establishment_changes_the_other_establishments_records(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            var forged = $$$"""{"resourceType":"Observation","id":"{{{them.ObservationId}}}","status":"entered-in-error","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/{{{them.PatientId}}}"}}""";
            var added = $$$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/{{{them.PatientId}}}"},"valueQuantity":{"value":200,"unit":"/min"}}""";
            foreach (var (user, role) in me.People)
            {
                using var client = await w.ClientAsync(user);
                foreach (var (method, url, body) in new (HttpMethod, string, string?)[]
                         {
                             (HttpMethod.Put, $"/fhir/Observation/{them.ObservationId}", forged),
                             (HttpMethod.Post, "/fhir/Observation", added),
                             (HttpMethod.Delete, $"/fhir/Observation/{them.ObservationId}", null),
                             (HttpMethod.Delete, $"/fhir/Patient/{them.PatientId}", null),
                         })
                {
                    var (status, answer) = await SendAsync(client, method, url, body);
                    if (status != HttpStatusCode.Forbidden)
                        failures.Add($"{user} ({role}): {method} {url} answered {(int)status}, not 403: {Leaks.Cut(answer)}");
                    failures.Check(answer, them, $"{user} ({role}): {method} {url}", them.PatientId, them.ObservationId);
                }
            }
            using var own = await w.ClientAsync(them.Registrar);
            var (after, observation) = await SendAsync(own, HttpMethod.Get, $"/fhir/Observation/{them.ObservationId}");
            after.ShouldBe(HttpStatusCode.OK, observation);
            JsonDocument.Parse(observation).RootElement.GetProperty("status").GetString().ShouldBe("final");
            JsonDocument.Parse(observation).RootElement.GetProperty("meta").GetProperty("versionId").GetString().ShouldBe("1");
        }
        failures.ShouldBeNone();
    }

    /// <summary>The ledger entries behind the AuditEvents of a bundle (an AuditEvent's id is its ledger sequence number).</summary>
    private static async Task<List<Vigie.Core.Audit.LedgerEntry>> EntriesAsync(SecurityWorld w, string bundle)
    {
        var seqs = JsonDocument.Parse(bundle).RootElement.TryGetProperty("entry", out var entries)
            ? entries.EnumerateArray().Select(e => long.Parse(e.GetProperty("resource").GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList()
            : [];
        return await w.Host.WithServicesAsync(async sp =>
        {
            var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Vigie.Core.Data.VigieDbContext>(sp);
            return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.AuditLedger.Where(e => seqs.Contains(e.Seq)));
        });
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patient_reads_their_own_record_and_access_report_and_nobody_elses(string provider)
    {
        var w = await worlds.GetAsync(provider);
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            using var patient = await w.ClientAsync(me.Patient);
            (await SendAsync(patient, HttpMethod.Get, $"/fhir/Patient/{me.PatientId}")).Status.ShouldBe(HttpStatusCode.OK);
            var (reportStatus, report) = await SendAsync(patient, HttpMethod.Get, $"/fhir/AuditEvent?patient={me.PatientId}&_count=500");
            reportStatus.ShouldBe(HttpStatusCode.OK, report);
            report.ShouldContain(me.Clinician, Case.Sensitive, "the access report names who read the record");
            // Every entry of the report is about the patient's own record (accesses from elsewhere included: that is the point of it).
            var entries = await EntriesAsync(w, report);
            entries.ShouldNotBeEmpty();
            entries.ShouldAllBe(e => e.PatientId == me.PatientId);

            foreach (var url in RecordReads(them).Concat(
                     [
                         $"/fhir/AuditEvent?patient={them.PatientId}",
                         $"/fhir/AuditEvent/{them.AuditEventSeq}",
                         "/fhir/AuditEvent",
                         $"/fhir/Patient?_id={them.PatientId}",
                         $"/fhir/Patient?family=Patient{them.Name}",
                         "/fhir/Observation?code=8867-4",
                     ]))
            {
                var (status, body) = await SendAsync(patient, HttpMethod.Get, url);
                status.ShouldBe(HttpStatusCode.Forbidden, $"{me.Patient}: GET {url}: {body}");
                body.ShouldHoldNothingOf(them, $"{me.Patient}: GET {url}", them.PatientId, them.ObservationId, them.EncounterId, them.LonePatientId, them.Name);
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_audit_trail_shows_each_establishment_only_accesses_by_its_people_or_to_its_patients(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            foreach (var (user, codes) in new[] { (me.SecurityOfficer, new[] { me.Code }), (me.Dpo, [me.Code]), (me.SocAnalyst, [me.Code]),
                         (me.RegionOfficer, [me.Code, me.Region]), (me.Admin, [me.Code, me.Region]) })
            {
                using var client = await w.ClientAsync(user);
                var (ownStatus, own) = await SendAsync(client, HttpMethod.Get, $"/fhir/AuditEvent?patient={me.PatientId}&agent={me.Clinician}");
                if (ownStatus != HttpStatusCode.OK || !own.Contains(me.Clinician, StringComparison.Ordinal))
                    failures.Add($"{user}: the audit trail of their own patient is not readable ({(int)ownStatus}): {Leaks.Cut(own)}");
                var (status, single) = await SendAsync(client, HttpMethod.Get, $"/fhir/AuditEvent/{them.AuditEventSeq}");
                if (status != HttpStatusCode.NotFound)
                    failures.Add($"{user}: GET /fhir/AuditEvent/{them.AuditEventSeq} of {them.Code} answered {(int)status}, not 404");
                failures.Check(single, them, $"{user}: AuditEvent/{them.AuditEventSeq}");
                foreach (var url in new[] { "/fhir/AuditEvent?_count=500", $"/fhir/AuditEvent?patient={them.PatientId}&_count=500", $"/fhir/AuditEvent?agent={them.Clinician}&_count=500" })
                {
                    var (searchStatus, bundle) = await SendAsync(client, HttpMethod.Get, url);
                    if (searchStatus != HttpStatusCode.OK)
                        failures.Add($"{user}: GET {url} answered {(int)searchStatus}");
                    foreach (var e in await EntriesAsync(w, bundle))
                    {
                        if (!codes.Contains(e.UserEstablishment) && !codes.Contains(e.PatientEstablishment))
                            failures.Add($"{user}: GET {url} shows ledger entry {e.Seq} ({e.UserName} of {e.UserEstablishment ?? "none"} on a patient of {e.PatientEstablishment ?? "none"})");
                    }
                }
            }
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Record_access_events_reach_the_accessing_users_establishment_and_grant_nothing_of_the_other(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            using var officer = await w.ClientAsync(me.RegionOfficer);
            var (status, body) = await (await officer.GetAsync($"/api/v1/events?limit=1000&q={Uri.EscapeDataString("event.dataset:vigie.records")}")).ReadAllAsync();
            status.ShouldBe(HttpStatusCode.OK, body);
            var events = JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray().ToList();
            events.ShouldNotBeEmpty();
            foreach (var e in events)
            {
                var organization = e.TryGetProperty("organization.id", out var o) ? o.GetString() : null;
                if (organization != me.Code && organization != me.Region)
                    failures.Add($"{me.RegionOfficer}: record event {e.GetProperty("_id")} of organization {organization ?? "none"}");
                // No access of this side to the other side's records was permitted in this world, so a permitted access
                // carries nothing of the other side, unless the caller named it (a search of the audit trail by patient).
                if (e.TryGetProperty("vigie.access.decision", out var d) && d.GetString() == "permit" && !e.TryGetProperty("vigie.search.parameters", out _))
                    failures.Check(e.GetRawText(), them, $"{me.RegionOfficer}: permitted record event {e.GetProperty("_id")}");
            }
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Reading_another_establishments_audit_entry_by_number_records_nothing_of_it_at_ones_own(string provider)
    {
        var w = await worlds.GetAsync(provider);
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            using var officer = await w.ClientAsync(me.SecurityOfficer);
            var (status, body) = await SendAsync(officer, HttpMethod.Get, $"/fhir/AuditEvent/{them.AuditEventSeq}");
            status.ShouldBe(HttpStatusCode.NotFound, body);

            // The read is in the ledger, and so in the officer's own establishment's events: without the entry's patient.
            var query = Uri.EscapeDataString($"vigie.resource.type:AuditEvent AND vigie.resource.id:\"{them.AuditEventSeq}\" AND user.name:\"{me.SecurityOfficer}\"");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            JsonElement events;
            do
            {
                events = JsonDocument.Parse((await (await officer.GetAsync($"/api/v1/events?limit=1000&q={query}")).ReadAllAsync()).Body).RootElement.GetProperty("events");
                if (events.GetArrayLength() > 0)
                    break;
                await Task.Delay(300);
            }
            while (DateTime.UtcNow < deadline);
            events.GetArrayLength().ShouldBeGreaterThan(0, "the read of the audit trail reaches the event stream");
            events.GetRawText().ShouldHoldNothingOf(them, $"{me.SecurityOfficer}'s events after reading AuditEvent/{them.AuditEventSeq}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Registering_a_patient_names_likely_duplicates_of_ones_own_establishments_only(string provider)
    {
        var w = await worlds.GetAsync(provider);
        // Leila, born on 14 March 1975, is registered at both establishments: the second registration is near the first.
        const string Twin = """{"resourceType":"Patient","name":[{"family":"Patientcharlie","given":["Leila"]}],"gender":"female","birthDate":"1975-03-14"}""";
        using var bravo = await w.ClientAsync(w.B.Registrar);
        using var created = await bravo.PostAsync("/fhir/Patient", new StringContent(Twin, Encoding.UTF8, "application/fhir+json"));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var header = created.Headers.TryGetValues("X-Possible-Duplicates", out var values) ? string.Join(", ", values) : "";
        header.ShouldNotContain(w.A.PatientId, Case.Sensitive, "a patient of CHU-A is named to a registrar of HOSP-B");
        header.ShouldContain(w.B.PatientId, Case.Sensitive, "the likely duplicate at HOSP-B itself is named");

        // Nor does the ledger entry, which HOSP-B's officers read as an event and as an AuditEvent.
        var newId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var officer = await w.ClientAsync(w.B.SecurityOfficer);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string events;
        do
        {
            events = (await (await officer.GetAsync($"/api/v1/events?q={Uri.EscapeDataString("event.action:duplicate-check")}&limit=1000")).ReadAllAsync()).Body;
            if (events.Contains(newId, StringComparison.Ordinal))
                break;
            await Task.Delay(300);
        }
        while (DateTime.UtcNow < deadline);
        events.ShouldContain(newId, Case.Sensitive, "the duplicate check reaches the event stream");
        events.ShouldHoldNothingOf(w.A, "duplicate-check events at HOSP-B");
        var (_, audit) = await SendAsync(officer, HttpMethod.Get, $"/fhir/AuditEvent?patient={newId}");
        audit.ShouldHoldNothingOf(w.A, "duplicate-check AuditEvent at HOSP-B");
    }
}
