using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Detection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Two regions, an establishment in each (CHU-A under REG-A, HOSP-B under REG-B), people of every role in each
/// and at the national centre, and data in each establishment put there through the real paths: events sent
/// with each establishment's collector key, a detection rule that fires on them, FHIR records written through
/// the gateway, breaks of the glass that privacy monitoring turns into alerts, incidents with evidence.
/// Everything of establishment A says "alpha", everything of B says "bravo", so that a response can be searched
/// for the other side's data.
/// </summary>
public sealed class SecurityWorld : IAsyncDisposable
{
    public const string RuleId = "5f1d7c1e-6f0a-4c53-9a8e-6a4b1f2d9c01";

    private readonly Dictionary<string, (string Token, DateTime IssuedAt)> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenGate = new(1, 1);

    private SecurityWorld(VigieTestHost host, string provider)
    {
        Host = host;
        Provider = provider;
    }

    public VigieTestHost Host { get; }
    public string Provider { get; }
    public Side A { get; private set; } = null!;
    public Side B { get; private set; } = null!;

    /// <summary>What one establishment holds, and the people of that side.</summary>
    public sealed class Side
    {
        public required string Name { get; init; }
        public required string Code { get; init; }
        public required string Region { get; init; }
        public required string CollectorKey { get; init; }
        public string Collector => "fw-" + Name;
        public string SecurityOfficer => "rssi." + Name;
        public string RegionOfficer => "rssi.region-" + Name;
        public string Dpo => "dpo." + Name;
        public string Clinician => "dr." + Name;
        public string Registrar => "registrar." + Name;
        public string Admin => "admin." + Name;
        public string SocAnalyst => "soc." + Name;
        public string Patient => "patient." + Name;
        public string Host => $"ws-{Name}-01";
        public string Account => "svc." + Name;
        public required string Address { get; init; }
        public string PatientId { get; set; } = "";
        public string NationalId { get; set; } = "";
        public string LonePatientId { get; set; } = "";
        public string PractitionerId { get; set; } = "";
        public string EncounterId { get; set; } = "";
        public string ObservationId { get; set; } = "";
        public long SecurityAlert { get; set; }
        public long PrivacyAlert { get; set; }
        public long Incident { get; set; }
        public long Evidence { get; set; }
        public long AuditEventSeq { get; set; }
        public string EvidenceText => $"evidence of {Name}: memory image of {Host}";

        /// <summary>Strings that belong to this side only: none may reach a person of the other side.</summary>
        public IReadOnlyList<string> Markers =>
        [
            Name, Code, Region, Address, PatientId, NationalId, LonePatientId, PractitionerId, EncounterId, ObservationId,
        ];

        /// <summary>Everyone of this side who is not a national user, with their role.</summary>
        public IReadOnlyList<(string User, string Role)> People =>
        [
            (SecurityOfficer, Roles.SecurityOfficer), (RegionOfficer, Roles.SecurityOfficer), (Dpo, Roles.Dpo), (Clinician, Roles.Clinician),
            (Admin, Roles.Admin), (SocAnalyst, Roles.SocAnalyst), (Patient, Roles.Patient),
        ];
    }

    public const string NationalAdmin = "nat.admin";
    public const string NationalSoc = "nat.soc";
    public const string NationalDpo = "nat.dpo";
    public const string Partner = "partner.cert";

    public static async Task<SecurityWorld> BuildAsync(string provider)
    {
        var host = await VigieTestHost.StartAsync(provider, new Dictionary<string, string?>
        {
            ["kek"] = Convert.ToBase64String(Encoding.ASCII.GetBytes("security-world-kek-of-32-bytes!!")),
        });
        var world = new SecurityWorld(host, provider);
        try
        {
            await world.SeedAsync();
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
        return world;
    }

    private async Task SeedAsync()
    {
        await Host.SeedHierarchyAsync();
        A = new Side { Name = "alpha", Code = "CHU-A", Region = "REG-A", Address = "198.51.100.11", CollectorKey = await AddCollectorAsync("fw-alpha", "CHU-A") };
        B = new Side { Name = "bravo", Code = "HOSP-B", Region = "REG-B", Address = "198.51.100.22", CollectorKey = await AddCollectorAsync("fw-bravo", "HOSP-B") };
        await AddUserAsync(NationalAdmin, Roles.Admin, "NAT");
        await AddUserAsync(NationalSoc, Roles.SocAnalyst, "NAT");
        await AddUserAsync(NationalDpo, Roles.Dpo, "NAT");
        await AddUserAsync(Partner, Roles.Partner, "NAT");
        var rules = TestEnvironment.NewTempDirectory("vigie-security-rules");
        await File.WriteAllTextAsync(Path.Combine(rules, "probe.yml"), $"""
            title: Scheduled audit probe seen on a workstation
            id: {RuleId}
            status: test
            description: A rule of Vigie's security review suite.
            logsource:
                product: vigie-security-test
            detection:
                selection:
                    event.action: vigie-audit-probe
                condition: selection
            level: high
            tags:
                - attack.discovery
                - attack.t1046
            """);
        var imported = await Host.WithServicesAsync(sp => sp.GetRequiredService<RuleLibrary>().ImportAsync([rules]));
        imported.Added.ShouldBe(1);
        foreach (var side in new[] { A, B })
            await SeedSideAsync(side);
        await WaitForAlertsAsync();
        foreach (var side in new[] { A, B })
            await OpenIncidentAsync(side);
    }

    private async Task SeedSideAsync(Side side)
    {
        await AddUserAsync(side.SecurityOfficer, Roles.SecurityOfficer, side.Code);
        await AddUserAsync(side.RegionOfficer, Roles.SecurityOfficer, side.Region);
        await AddUserAsync(side.Dpo, Roles.Dpo, side.Code);
        await AddUserAsync(side.Admin, Roles.Admin, side.Region);
        await AddUserAsync(side.SocAnalyst, Roles.SocAnalyst, side.Code);
        await AddUserAsync(side.Registrar, Roles.Clinician, side.Code, profession: "physician");

        // Records, through the gateway: a practitioner, a patient in their care, a patient nobody cares for yet.
        using var registrar = await ClientAsync(side.Registrar);
        var practitioner = await FhirAsync(registrar, HttpMethod.Post, "/fhir/Practitioner",
            $$"""{"resourceType":"Practitioner","name":[{"family":"Practitioner{{side.Name}}","given":["Idriss"]}]}""", 201);
        side.PractitionerId = practitioner.GetProperty("id").GetString()!;
        var bundle = await FhirAsync(registrar, HttpMethod.Post, "/fhir", $$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:0d6c1b8e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","name":[{"family":"Patient{{{side.Name}}}","given":["Leila"]}],"gender":"female","birthDate":"1975-03-14"},"request":{"method":"POST","url":"Patient"}},
              {"fullUrl":"urn:uuid:0d6c1b8e-0000-4000-8000-000000000002","resource":{"resourceType":"Encounter","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"urn:uuid:0d6c1b8e-0000-4000-8000-000000000001"},"participant":[{"individual":{"reference":"Practitioner/{{{side.PractitionerId}}}"}}],"period":{"start":"2026-11-20T08:00:00Z"}},"request":{"method":"POST","url":"Encounter"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"urn:uuid:0d6c1b8e-0000-4000-8000-000000000001"},"effectiveDateTime":"2026-11-20T08:05:00Z","valueQuantity":{"value":71,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """, 200);
        var locations = bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("location").GetString()!.Split('/')).ToList();
        side.PatientId = locations[0][1];
        side.EncounterId = locations[1][1];
        side.ObservationId = locations[2][1];
        var lone = await FhirAsync(registrar, HttpMethod.Post, "/fhir/Patient",
            $$"""{"resourceType":"Patient","name":[{"family":"Lone{{side.Name}}","given":["Omar"]}],"gender":"male","birthDate":"1980-01-09"}""", 201);
        side.LonePatientId = lone.GetProperty("id").GetString()!;
        var patient = await FhirAsync(registrar, HttpMethod.Get, $"/fhir/Patient/{side.PatientId}", null, 200);
        side.NationalId = patient.GetProperty("identifier").EnumerateArray()
            .First(i => i.GetProperty("system").GetString() == Vigie.Core.Patients.NationalHealthId.System)
            .GetProperty("value").GetString()!;

        await AddUserAsync(side.Clinician, Roles.Clinician, side.Code, profession: "physician", practitioner: side.PractitionerId, displayName: $"Dr Idriss Practitioner{side.Name}");
        await AddUserAsync(side.Patient, Roles.Patient, side.Code, patient: side.PatientId);

        // The clinician reads their patient, then breaks the glass on the patient nobody cares for: privacy monitoring notices.
        using var clinician = await ClientAsync(side.Clinician);
        await FhirAsync(clinician, HttpMethod.Get, $"/fhir/Patient/{side.PatientId}", null, 200);
        await FhirAsync(clinician, HttpMethod.Get, $"/fhir/Patient/{side.LonePatientId}", null, 200,
            new Dictionary<string, string> { ["X-Purpose-Of-Use"] = "BTG", ["X-Break-Glass-Reason"] = $"checking an old file of {side.Name}" });

        // Events, with the establishment's own collector key: the rule fires on each.
        var now = DateTime.UtcNow;
        var lines = string.Join('\n', Enumerable.Range(0, 3).Select(i => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["@timestamp"] = now.AddSeconds(-30 + i).ToString("O"),
            ["event.action"] = "vigie-audit-probe",
            ["host.name"] = side.Host,
            ["user.name"] = side.Account,
            ["source.ip"] = side.Address,
            ["message"] = $"audit probe run by {side.Account} on {side.Host}",
        })));
        using var collector = CollectorClient(side.CollectorKey);
        var ingest = await collector.PostAsync("/api/v1/ingest", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"));
        var reply = await ingest.ReadAsync();
        ingest.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.GetProperty("accepted").GetInt32().ShouldBe(3);
    }

    private async Task WaitForAlertsAsync()
    {
        using var admin = await ClientAsync(NationalAdmin);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await admin.GetAsync("/api/v1/alerts?limit=1000");
            last = await response.Content.ReadAsStringAsync();
            var items = JsonDocument.Parse(last).RootElement.GetProperty("items").EnumerateArray().ToList();
            foreach (var side in new[] { A, B })
            {
                var mine = items.Where(a => a.GetProperty("establishment").GetString() == side.Code).ToList();
                side.SecurityAlert = mine.Where(a => a.GetProperty("rule_id").GetString() == RuleId).Select(a => a.GetProperty("id").GetInt64()).FirstOrDefault();
                side.PrivacyAlert = mine.Where(a => a.GetProperty("category").GetString() == "privacy").Select(a => a.GetProperty("id").GetInt64()).FirstOrDefault();
            }
            if (A.SecurityAlert > 0 && B.SecurityAlert > 0 && A.PrivacyAlert > 0 && B.PrivacyAlert > 0)
                return;
            await Task.Delay(300);
        }
        throw new InvalidOperationException($"the world's alerts did not all arrive within 90 s: {last}");
    }

    private async Task OpenIncidentAsync(Side side)
    {
        using var soc = await ClientAsync(NationalSoc);
        var created = await soc.PostAsJsonAsync("/api/v1/incidents", new
        {
            title = $"Audit probe and snooping at {side.Name}",
            alert_ids = new[] { side.SecurityAlert, side.PrivacyAlert },
            description = $"Seen on {side.Host} by {side.Account}",
        });
        var incident = await created.ReadAsync();
        created.StatusCode.ShouldBe(HttpStatusCode.Created, incident.ToString());
        incident.GetProperty("establishment").GetString().ShouldBe(side.Code);
        side.Incident = incident.GetProperty("id").GetInt64();
        var upload = await soc.PostAsync($"/api/v1/incidents/{side.Incident}/evidence?name=notes-{side.Name}.txt&description=analyst%20notes",
            new StringContent(side.EvidenceText, Encoding.UTF8, "text/plain"));
        var evidence = await upload.ReadAsync();
        upload.StatusCode.ShouldBe(HttpStatusCode.Created, evidence.ToString());
        side.Evidence = evidence.GetProperty("id").GetInt64();
        (await soc.PostAsJsonAsync($"/api/v1/incidents/{side.Incident}/comments", new { text = $"call the {side.Name} on-call officer" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var qualified = await soc.PostAsJsonAsync($"/api/v1/incidents/{side.Incident}/qualify", new
        {
            personal_data = true, people_affected = 1, records_affected = 1, nature = $"snooping on a patient of {side.Name}",
            contact = $"dpo.{side.Name}@{side.Code.ToLowerInvariant()}.example",
        });
        qualified.StatusCode.ShouldBe(HttpStatusCode.OK, await qualified.Content.ReadAsStringAsync());

        using var dpo = await ClientAsync(NationalDpo);
        var audit = await FhirAsync(dpo, HttpMethod.Get, $"/fhir/AuditEvent?patient={side.PatientId}&_count=1", null, 200);
        side.AuditEventSeq = long.Parse(audit.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<string> AddCollectorAsync(string name, string establishment) => Host.WithServicesAsync(async sp =>
        (await sp.GetRequiredService<CollectorRegistry>().AddAsync(name, establishment, new Actor("test"), AccessScope.Everything)).Key);

    public Task<User> AddUserAsync(string username, string role, string establishment, string? profession = null, string? practitioner = null,
        string? patient = null, string? displayName = null) =>
        Host.WithServicesAsync(sp => sp.GetRequiredService<UserAdministration>().AddAsync(
            new UserAdministration.NewUser(username, VigieTestHost.Password, [role], establishment, profession, displayName, practitioner, patient),
            new Actor("test"), AccessScope.Everything));

    /// <summary>A client with a fresh-enough bearer token of <paramref name="username"/> (tokens are reused for ten minutes).</summary>
    public async Task<HttpClient> ClientAsync(string username)
    {
        await _tokenGate.WaitAsync();
        try
        {
            if (!_tokens.TryGetValue(username, out var known) || DateTime.UtcNow - known.IssuedAt > TimeSpan.FromMinutes(10))
            {
                known = (await Host.TokenAsync(username), DateTime.UtcNow);
                _tokens[username] = known;
            }
            return Host.ClientWith(known.Token);
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    public HttpClient CollectorClient(string key)
    {
        var client = new HttpClient { BaseAddress = Host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    public Side Other(Side side) => ReferenceEquals(side, A) ? B : A;

    public static async Task<JsonElement> FhirAsync(HttpClient client, HttpMethod method, string url, string? body, int expected,
        IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/fhir+json");
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(k, v);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(expected, $"{method} {url}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _tokenGate.Dispose();
        await Host.DisposeAsync();
    }
}
