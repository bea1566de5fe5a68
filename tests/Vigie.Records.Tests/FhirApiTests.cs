using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigie.Core.Identity;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>The FHIR API as a client sees it: Synthea's transaction bundles in, every resource type out as valid R4.</summary>
public sealed class FhirApiTests
{
    private static readonly Dictionary<string, string> Btg = new() { ["X-Purpose-Of-Use"] = "BTG", ["X-Break-Glass-Reason"] = "conformance test of the record" };

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Synthea_bundles_import_through_POST_fhir_and_every_resource_type_returned_is_valid_R4(string provider)
    {
        RecordsData.SkipWithoutSynthea();
        OfficialSchema.SkipWhenUnavailable();
        await using var host = await RecordsHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dr.a", Roles.Clinician, "CHU-A");
        await host.AddUserAsync("dpo", Roles.Dpo, "NAT");
        var doctor = await host.FhirClientAsync("dr.a");

        var documents = new Dictionary<string, byte[]>();
        var created = new Dictionary<string, string>();
        foreach (var file in Directory.GetFiles(RecordsData.Bundles, "*.json").OrderBy(f => Path.GetFileName(f).StartsWith("hospital", StringComparison.Ordinal) ? 0 : Path.GetFileName(f).StartsWith("practitioner", StringComparison.Ordinal) ? 1 : 2))
        {
            var (status, body) = await doctor.SendAsync(HttpMethod.Post, "/fhir", await File.ReadAllTextAsync(file));
            status.ShouldBe(200, $"{Path.GetFileName(file)}: {body.Issues()}");
            body.GetProperty("type").GetString().ShouldBe("transaction-response");
            using var source = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
            body.GetProperty("entry").GetArrayLength().ShouldBe(source.RootElement.GetProperty("entry").GetArrayLength());
            foreach (var entry in body.GetProperty("entry").EnumerateArray())
            {
                entry.GetProperty("response").GetProperty("status").GetString().ShouldBe("201 Created");
                var location = entry.GetProperty("response").GetProperty("location").GetString()!.Split('/');
                created.TryAdd(location[0], location[1]);
            }
            documents[$"transaction-response {Path.GetFileName(file)}"] = JsonSerializer.SerializeToUtf8Bytes(body);
        }
        created.Keys.ShouldBe(["Organization", "Practitioner", "Patient", "Encounter", "Condition", "MedicationRequest", "Claim", "CarePlan", "ExplanationOfBenefit",
            "Observation", "Immunization", "DiagnosticReport", "Procedure", "Goal"], ignoreOrder: true);

        // The types Synthea's bundles lack are created here, referring to the imported patient and practitioner.
        var patient = created["Patient"];
        var practitioner = created["Practitioner"];
        var organization = created["Organization"];
        async Task<string> Create(string type, string json)
        {
            var (status, body) = await doctor.SendAsync(HttpMethod.Post, $"/fhir/{type}", json, Btg);
            status.ShouldBe(201, $"{type}: {body.Issues()}");
            return body.GetProperty("id").GetString()!;
        }
        created["Location"] = await Create("Location", $$$"""{"resourceType":"Location","status":"active","name":"Urgences","managingOrganization":{"reference":"Organization/{{{organization}}}"}}""");
        created["PractitionerRole"] = await Create("PractitionerRole", $$$"""{"resourceType":"PractitionerRole","active":true,"practitioner":{"reference":"Practitioner/{{{practitioner}}}"},"organization":{"reference":"Organization/{{{organization}}}"}}""");
        created["EpisodeOfCare"] = await Create("EpisodeOfCare", $$$"""{"resourceType":"EpisodeOfCare","status":"active","patient":{"reference":"Patient/{{{patient}}}"},"careManager":{"reference":"Practitioner/{{{practitioner}}}"},"period":{"start":"2026-01-01"}}""");
        created["CareTeam"] = await Create("CareTeam", $$$"""{"resourceType":"CareTeam","status":"active","subject":{"reference":"Patient/{{{patient}}}"},"participant":[{"member":{"reference":"Practitioner/{{{practitioner}}}"}}]}""");
        created["AllergyIntolerance"] = await Create("AllergyIntolerance", $$$"""{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/{{{patient}}}"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Allergy to penicillin"}]},"criticality":"high"}""");
        created["DocumentReference"] = await Create("DocumentReference", $$$"""{"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/{{{patient}}}"},"content":[{"attachment":{"contentType":"text/plain","data":"Q29tcHRlIHJlbmR1"}}]}""");
        created["Consent"] = await Create("Consent", $$$"""{"resourceType":"Consent","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],"patient":{"reference":"Patient/{{{patient}}}"},"policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},"provision":{"type":"permit","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"PRCP"}]},"reference":{"reference":"Practitioner/{{{practitioner}}}"}}]}}""");
        created["Provenance"] = await Create("Provenance", $$$"""{"resourceType":"Provenance","target":[{"reference":"Patient/{{{patient}}}"}],"recorded":"2026-11-01T10:00:00Z","agent":[{"who":{"reference":"Practitioner/{{{practitioner}}}"}}]}""");

        foreach (var (type, id) in created)
        {
            var (status, body) = await doctor.GetFhirAsync($"/fhir/{type}/{id}", Btg);
            status.ShouldBe(200, $"{type}/{id}: {body.Issues()}");
            body.GetProperty("resourceType").GetString().ShouldBe(type);
            body.GetProperty("meta").GetProperty("versionId").GetString().ShouldBe("1");
            documents[$"{type}/{id}"] = JsonSerializer.SerializeToUtf8Bytes(body);
        }
        // Patients received a national health identifier; Synthea's own identifiers stay.
        var patientBody = JsonDocument.Parse(documents[$"Patient/{patient}"]).RootElement;
        var systems = patientBody.GetProperty("identifier").EnumerateArray().Select(i => i.GetProperty("system").GetString()).ToList();
        systems.ShouldContain(Vigie.Core.Patients.NationalHealthId.System);
        systems.ShouldContain("http://hl7.org/fhir/sid/us-ssn");

        var (searchStatus, searchset) = await doctor.GetFhirAsync($"/fhir/Observation?patient={patient}&_count=5", Btg);
        searchStatus.ShouldBe(200, searchset.Issues());
        documents["Observation searchset"] = JsonSerializer.SerializeToUtf8Bytes(searchset);
        var (historyStatus, history) = await doctor.GetFhirAsync($"/fhir/Patient/{patient}/_history", Btg);
        historyStatus.ShouldBe(200);
        documents["Patient history"] = JsonSerializer.SerializeToUtf8Bytes(history);
        documents["CapabilityStatement"] = await host.Client.GetByteArrayAsync("/fhir/metadata");
        var (_, outcome) = await doctor.GetFhirAsync("/fhir/Observation?nonsense=1");
        documents["OperationOutcome"] = JsonSerializer.SerializeToUtf8Bytes(outcome);
        var dpo = await host.FhirClientAsync("dpo");
        var (auditStatus, audits) = await dpo.GetFhirAsync($"/fhir/AuditEvent?patient={patient}&_count=20");
        auditStatus.ShouldBe(200, audits.Issues());
        audits.GetProperty("total").GetInt32().ShouldBeGreaterThan(0);
        documents["AuditEvent searchset"] = JsonSerializer.SerializeToUtf8Bytes(audits);
        var auditId = audits.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString();
        var (oneStatus, oneAudit) = await dpo.GetFhirAsync($"/fhir/AuditEvent/{auditId}");
        oneStatus.ShouldBe(200);
        documents["AuditEvent"] = JsonSerializer.SerializeToUtf8Bytes(oneAudit);

        var problems = await OfficialSchema.ValidateAsync(documents);
        // The published schema was generated from R4 4.0.0: its fhirVersion list predates the 4.0.1 technical correction that
        // Vigie declares. That single value is the only difference tolerated.
        problems.Where(p => !p.StartsWith("CapabilityStatement: fhirVersion: '4.0.1' is not one of", StringComparison.Ordinal)).ShouldBeEmpty();
        documents.Keys.Select(k => k.Split('/')[0]).Distinct().Count().ShouldBeGreaterThan(25);
    }

    [SkippableFact]
    public async Task The_capability_statement_names_the_address_it_was_asked_at()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        async Task<string> UrlAsync(string hostName)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/metadata");
            request.Headers.Host = hostName;
            using var response = await host.Client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("implementation").GetProperty("url").GetString()!;
        }
        // Kept between requests or not, the statement names the address it was asked at, each time.
        (await UrlAsync("vigie.chu-rabat.ma")).ShouldBe("http://vigie.chu-rabat.ma/fhir");
        (await UrlAsync("vigie.chu-rabat.ma")).ShouldBe("http://vigie.chu-rabat.ma/fhir");
        (await UrlAsync("vigie.sante.ma:8443")).ShouldBe("http://vigie.sante.ma:8443/fhir");
        (await UrlAsync("vigie.chu-rabat.ma")).ShouldBe("http://vigie.chu-rabat.ma/fhir");
    }

    [SkippableFact]
    public async Task The_capability_statement_lists_exactly_the_types_and_parameters_served()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var response = await host.Client.GetAsync("/fhir/metadata");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var statement = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        statement.GetProperty("fhirVersion").GetString().ShouldBe("4.0.1");
        var resources = statement.GetProperty("rest")[0].GetProperty("resource").EnumerateArray().ToDictionary(r => r.GetProperty("type").GetString()!);
        foreach (var type in new[] { "Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "Encounter", "EpisodeOfCare", "CareTeam", "Condition",
                     "Observation", "AllergyIntolerance", "MedicationRequest", "Procedure", "Immunization", "DiagnosticReport", "DocumentReference", "Consent", "AuditEvent", "Provenance" })
            resources.ShouldContainKey(type);
        var patientParams = resources["Patient"].GetProperty("searchParam").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        patientParams.ShouldContain("identifier");
        patientParams.ShouldContain("birthdate");
        patientParams.ShouldContain("name");
        // Every parameter the statement advertises is accepted by a search of that type.
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dr.b", Roles.Clinician, "CHU-A");
        var doctor = await host.FhirClientAsync("dr.b");
        foreach (var (type, resource) in resources.Where(r => r.Key != "AuditEvent"))
        {
            foreach (var p in resource.GetProperty("searchParam").EnumerateArray())
            {
                var name = p.GetProperty("name").GetString()!;
                var value = p.GetProperty("type").GetString() switch { "date" => "ge2020-01-01", "string" => "ab", "reference" => "Patient/x", _ => "x" };
                if (name is "patient" or "subject")
                    continue;
                var (status, body) = await doctor.GetFhirAsync($"/fhir/{type}?{name}={value}");
                status.ShouldBe(200, $"{type}?{name}: {body.Issues()}");
            }
        }
    }

    [SkippableFact]
    public async Task Read_vread_update_history_delete_and_search_behave_as_FHIR_says()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dr.c", Roles.Clinician, "CHU-A");
        var doctor = await host.FhirClientAsync("dr.c");
        var (status, patient) = await doctor.SendAsync(HttpMethod.Post, "/fhir/Patient",
            """{"resourceType":"Patient","name":[{"family":"Benjelloun","given":["Salma"]}],"gender":"female","birthDate":"1984-03-12"}""");
        status.ShouldBe(201, patient.Issues());
        var id = patient.GetProperty("id").GetString()!;
        // The registrant's establishment cares for the patient once an encounter is open.
        (status, var encounter) = await doctor.SendAsync(HttpMethod.Post, "/fhir/Encounter",
            $$$"""{"resourceType":"Encounter","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"subject":{"reference":"Patient/{{{id}}}"},"period":{"start":"2026-11-20T08:00:00Z"}}""",
            new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "BTG", ["X-Break-Glass-Reason"] = "admission" });
        status.ShouldBe(201, encounter.Issues());

        var updated = JsonNode.Parse(patient.GetRawText())!.AsObject();
        updated["telecom"] = new JsonArray(new JsonObject { ["system"] = "phone", ["value"] = "+212600000000" });
        (status, var v2) = await doctor.SendAsync(HttpMethod.Put, $"/fhir/Patient/{id}", updated.ToJsonString(), new Dictionary<string, string> { ["If-Match"] = "W/\"1\"" });
        status.ShouldBe(200, v2.Issues());
        v2.GetProperty("meta").GetProperty("versionId").GetString().ShouldBe("2");
        (status, var conflict) = await doctor.SendAsync(HttpMethod.Put, $"/fhir/Patient/{id}", updated.ToJsonString(), new Dictionary<string, string> { ["If-Match"] = "W/\"1\"" });
        status.ShouldBe(412, conflict.Issues());

        (status, var v1) = await doctor.GetFhirAsync($"/fhir/Patient/{id}/_history/1");
        status.ShouldBe(200);
        v1.TryGetProperty("telecom", out _).ShouldBeFalse();
        (status, var history) = await doctor.GetFhirAsync($"/fhir/Patient/{id}/_history");
        history.GetProperty("entry").GetArrayLength().ShouldBe(2);

        (status, var byName) = await doctor.GetFhirAsync("/fhir/Patient?name=benj");
        byName.GetProperty("total").GetInt32().ShouldBe(1);
        (status, var byAccent) = await doctor.GetFhirAsync("/fhir/Patient?given=salm&birthdate=1984");
        byAccent.GetProperty("total").GetInt32().ShouldBe(1);
        (status, var none) = await doctor.GetFhirAsync("/fhir/Patient?name=benj&birthdate=1990");
        none.GetProperty("total").GetInt32().ShouldBe(0);
        var national = v2.GetProperty("identifier").EnumerateArray().First(i => i.GetProperty("system").GetString() == Vigie.Core.Patients.NationalHealthId.System).GetProperty("value").GetString();
        (status, var byId) = await doctor.GetFhirAsync($"/fhir/Patient?identifier={Vigie.Core.Patients.NationalHealthId.System}|{national}");
        byId.GetProperty("total").GetInt32().ShouldBe(1);
        (status, var encounters) = await doctor.GetFhirAsync($"/fhir/Encounter?patient={id}&date=ge2026-11-01&status=in-progress");
        encounters.GetProperty("total").GetInt32().ShouldBe(1, encounters.ToString());

        (status, _) = await doctor.SendAsync(HttpMethod.Delete, $"/fhir/Encounter/{encounter.GetProperty("id").GetString()}");
        status.ShouldBe(204);
        (status, var gone) = await doctor.GetFhirAsync($"/fhir/Encounter/{encounter.GetProperty("id").GetString()}",
            new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "BTG", ["X-Break-Glass-Reason"] = "check" });
        status.ShouldBe(410, gone.Issues());
    }

    [Fact]
    public async Task A_patients_search_is_counted_and_paged_in_the_index_without_reading_the_table_or_sorting()
    {
        await using var migrated = await MigratedSqlite.OpenAsync();
        var connection = migrated.Connection;
        async Task<string> PlanAsync(string sql)
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
            await using var r = await explain.ExecuteReaderAsync();
            var steps = new List<string>();
            while (await r.ReadAsync())
                steps.Add(r.GetString(3));
            return string.Join(" | ", steps);
        }

        var count = await PlanAsync(Vigie.Storage.Records.SqliteCurrentResourceReader.PatientCountSql);
        count.ShouldContain("COVERING INDEX ix_fhir_resources_patient_current (patient_id=? AND resource_type=? AND deleted=?)");
        var page = await PlanAsync(Vigie.Storage.Records.SqliteCurrentResourceReader.PatientPageSql);
        page.ShouldContain("INDEX ix_fhir_resources_patient_current (patient_id=? AND resource_type=? AND deleted=?)");
        page.ShouldNotContain("TEMP B-TREE");
    }

    [Fact]
    public async Task A_patients_search_page_statement_stays_compiled_from_one_page_to_the_next()
    {
        await using var migrated = await MigratedSqlite.OpenAsync();
        var connection = migrated.Connection;
        const int Reprepared = 5; // SQLITE_STMTSTATUS_REPREPARE
        SQLitePCL.raw.sqlite3_prepare_v2(connection.Handle, Vigie.Storage.Records.SqliteCurrentResourceReader.PatientPageSql, out var statement)
            .ShouldBe(SQLitePCL.raw.SQLITE_OK);
        using (statement)
        {
            foreach (var (take, skip) in new[] { (10, 0), (10, 10), (20, 0), (5, 40) })
            {
                SQLitePCL.raw.sqlite3_bind_text(statement, SQLitePCL.raw.sqlite3_bind_parameter_index(statement, "$type"), "Observation");
                SQLitePCL.raw.sqlite3_bind_text(statement, SQLitePCL.raw.sqlite3_bind_parameter_index(statement, "$patient"), "p1");
                SQLitePCL.raw.sqlite3_bind_int(statement, SQLitePCL.raw.sqlite3_bind_parameter_index(statement, "$take"), take);
                SQLitePCL.raw.sqlite3_bind_int(statement, SQLitePCL.raw.sqlite3_bind_parameter_index(statement, "$skip"), skip);
                SQLitePCL.raw.sqlite3_step(statement).ShouldBe(SQLitePCL.raw.SQLITE_DONE);
                SQLitePCL.raw.sqlite3_reset(statement);
            }
            // Each search binds its page again: a statement that expires on binding is parsed and planned every time.
            SQLitePCL.raw.sqlite3_stmt_status(statement, Reprepared, 0).ShouldBe(0, "the page statement was compiled again after its limit or offset was bound");
        }
    }

    /// <summary>A fresh SQLite store with every migration applied, and a connection to it.</summary>
    private sealed class MigratedSqlite : IAsyncDisposable
    {
        private TestStore _store = null!;

        public Microsoft.Data.Sqlite.SqliteConnection Connection { get; private set; } = null!;

        public static async Task<MigratedSqlite> OpenAsync()
        {
            var store = await TestStore.CreateAsync("sqlite");
            await new Vigie.Storage.SchemaMigrator(store.Location).MigrateAsync();
            var connection = new Microsoft.Data.Sqlite.SqliteConnection(store.Location.ConnectionString);
            await connection.OpenAsync();
            return new MigratedSqlite { _store = store, Connection = connection };
        }

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await _store.DisposeAsync();
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patients_search_pages_newest_first_counts_all_and_leaves_out_deleted_resources(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var (doctor, id, observations) = await ThreeObservationsOneDeletedAsync(host);
        int status;

        (status, var first) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}&_count=1");
        status.ShouldBe(200, first.Issues());
        first.GetProperty("total").GetInt32().ShouldBe(2);
        Ids(first).ShouldBe(observations[2]);
        Has(first, "next").ShouldBeTrue();
        (status, var second) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}&_count=1&_offset=1");
        status.ShouldBe(200, second.Issues());
        second.GetProperty("total").GetInt32().ShouldBe(2);
        Ids(second).ShouldBe(observations[0]);
        Has(second, "next").ShouldBeFalse();
        Has(second, "previous").ShouldBeTrue();
        (status, var all) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}");
        Ids(all).ShouldBe($"{observations[2]},{observations[0]}");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_search_with_total_none_pages_alike_without_a_total_and_announces_the_next_page_exactly(string provider)
    {
        // On the patient's own path, on the general one (a sort by id) and on the ledger's AuditEvents.
        await using var host = await RecordsHost.StartAsync(provider);
        var (doctor, id, observations) = await ThreeObservationsOneDeletedAsync(host);
        int status;
        foreach (var (search, expected) in new[]
        {
            ($"/fhir/Observation?patient={id}", new[] { observations[2], observations[0] }),
            ($"/fhir/Observation?patient={id}&_sort=_id", observations.Where((_, i) => i != 1).Order(StringComparer.Ordinal).ToArray()),
        })
        {
            (status, var uncounted) = await doctor.GetFhirAsync($"{search}&_count=1&_total=none");
            status.ShouldBe(200, uncounted.Issues());
            uncounted.TryGetProperty("total", out _).ShouldBeFalse(search);
            Ids(uncounted).ShouldBe(expected[0], search);
            Has(uncounted, "next").ShouldBeTrue(search);
            (status, var last) = await doctor.GetFhirAsync($"{search}&_count=1&_offset=1&_total=none");
            status.ShouldBe(200, last.Issues());
            Ids(last).ShouldBe(expected[1], search);
            Has(last, "next").ShouldBeFalse(search);
            (status, var accurate) = await doctor.GetFhirAsync($"{search}&_count=1&_total=accurate");
            accurate.GetProperty("total").GetInt32().ShouldBe(2, search);
        }
        await host.AddUserAsync("dpo.p", Roles.Dpo, "CHU-A");
        var dpo = await host.FhirClientAsync("dpo.p");
        (status, var audit) = await dpo.GetFhirAsync($"/fhir/AuditEvent?agent=dr.p&_count=2&_total=none");
        status.ShouldBe(200, audit.Issues());
        audit.TryGetProperty("total", out _).ShouldBeFalse();
        audit.GetProperty("entry").GetArrayLength().ShouldBe(2);
        Has(audit, "next").ShouldBeTrue("dr.p has more than two ledger entries");
        (status, var far) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}&_count=1&_offset={int.MaxValue}");
        status.ShouldBe(200, far.Issues());
        Has(far, "next").ShouldBeFalse("nothing follows the last possible offset");
        (status, var wrong) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}&_total=maybe");
        status.ShouldBe(400);
        wrong.Issues().ShouldContain("_total: 'maybe' must be none, estimate or accurate");
    }

    private static string Ids(JsonElement bundle) => string.Join(',', bundle.TryGetProperty("entry", out var entries)
        ? entries.EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()) : []);

    private static bool Has(JsonElement bundle, string relation) => bundle.GetProperty("link").EnumerateArray().Any(l => l.GetProperty("relation").GetString() == relation);

    /// <summary>A patient with three Observations, created a few milliseconds apart, the second one deleted.</summary>
    private static async Task<(HttpClient Doctor, string PatientId, List<string> Observations)> ThreeObservationsOneDeletedAsync(VigieTestHost host)
    {
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dr.p", Roles.Clinician, "CHU-A");
        var doctor = await host.FhirClientAsync("dr.p");
        var (status, patient) = await doctor.SendAsync(HttpMethod.Post, "/fhir/Patient",
            """{"resourceType":"Patient","name":[{"family":"Tazi","given":["Omar"]}],"gender":"male","birthDate":"1970-05-02"}""");
        status.ShouldBe(201, patient.Issues());
        var id = patient.GetProperty("id").GetString()!;
        (status, var encounter) = await doctor.SendAsync(HttpMethod.Post, "/fhir/Encounter",
            $$$"""{"resourceType":"Encounter","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"Patient/{{{id}}}"},"period":{"start":"2026-11-20T08:00:00Z"}}""", Btg);
        status.ShouldBe(201, encounter.Issues());
        var observations = new List<string>();
        foreach (var text in new[] { "first", "second", "third" })
        {
            (status, var observation) = await doctor.SendAsync(HttpMethod.Post, "/fhir/Observation",
                $$$"""{"resourceType":"Observation","status":"final","code":{"text":"{{{text}}}"},"subject":{"reference":"Patient/{{{id}}}"}}""");
            status.ShouldBe(201, observation.Issues());
            observations.Add(observation.GetProperty("id").GetString()!);
            await Task.Delay(5); // distinct last-updated instants
        }
        (status, _) = await doctor.SendAsync(HttpMethod.Delete, $"/fhir/Observation/{observations[1]}");
        status.ShouldBe(204);
        return (doctor, id, observations);
    }
}
