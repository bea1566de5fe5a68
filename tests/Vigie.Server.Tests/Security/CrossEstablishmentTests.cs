using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Every route that takes an id, an establishment, a username, a patient or a query, called by the people of one
/// establishment (officer, regional officer, DPO, regional administrator, SOC analyst) on the other
/// establishment's objects: each is answered as if the object did not exist (404), refused (403) or rejected as
/// unknown (400), and no response carries anything of the other establishment. The same calls on one's own
/// objects succeed, which shows the probes would see a leak.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class CrossEstablishmentTests(SecurityWorlds worlds)
{
    /// <summary>One call: which reviewed route it exercises, what it sends, what it must answer.</summary>
    public sealed record Probe(string Route, string Method, string Path, object? Body, HttpStatusCode Expected, params string[] Echoes);

    private const string Password = "a-new-long-password-42";

    /// <summary>The calls a person of <paramref name="me"/> makes on the objects of <paramref name="them"/>.</summary>
    public static IReadOnlyList<Probe> Probes(SecurityWorld.Side me, SecurityWorld.Side them)
    {
        var nf = HttpStatusCode.NotFound;
        var ok = HttpStatusCode.OK;
        var alert = them.SecurityAlert;
        var privacy = them.PrivacyAlert;
        var incident = them.Incident;
        var evidence = them.Evidence;
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{DateTime.MaxValue.Ticks}:{long.MaxValue}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return
        [
            new("POST /api/v1/establishments/", "POST", "/api/v1/establishments/", new { code = "LAB-INTRUDER", name = "Intruder lab", type = "laboratory", parent = them.Region },
                HttpStatusCode.Forbidden, them.Region),
            new("GET /api/v1/establishments/", "GET", "/api/v1/establishments/", null, ok),
            new("GET /api/v1/users/", "GET", "/api/v1/users/", null, ok),
            new("GET /api/v1/users/{username}", "GET", $"/api/v1/users/{them.Clinician}", null, nf, them.Clinician),
            new("GET /api/v1/users/{username}", "GET", $"/api/v1/users/{them.Patient}", null, nf, them.Patient),
            new("POST /api/v1/users/", "POST", "/api/v1/users/", new { username = "intruder.x", password = Password, roles = new[] { "clinician" }, establishment = them.Code },
                HttpStatusCode.Forbidden, them.Code),
            new("POST /api/v1/users/{username}/disable", "POST", $"/api/v1/users/{them.Clinician}/disable", null, nf, them.Clinician),
            new("POST /api/v1/users/{username}/enable", "POST", $"/api/v1/users/{them.Clinician}/enable", null, nf, them.Clinician),
            new("POST /api/v1/users/{username}/reset-password", "POST", $"/api/v1/users/{them.Clinician}/reset-password", new { password = Password }, nf, them.Clinician),
            new("PUT /api/v1/users/{username}/roles", "PUT", $"/api/v1/users/{them.Clinician}/roles", new { roles = new[] { "admin" } }, nf, them.Clinician),
            new("GET /api/v1/collectors/", "GET", "/api/v1/collectors/", null, ok),
            new("POST /api/v1/collectors/", "POST", "/api/v1/collectors/", new { name = "fw-intruder", establishment = them.Code }, HttpStatusCode.Forbidden, them.Code),
            new("POST /api/v1/collectors/{name}/revoke", "POST", $"/api/v1/collectors/{them.Collector}/revoke", null, nf, them.Collector),
            new("GET /api/v1/security-events", "GET", $"/api/v1/security-events?target={them.Clinician}", null, ok, them.Clinician),
            new("GET /api/v1/security-events", "GET", "/api/v1/security-events?limit=1000", null, ok),
            new("GET /api/v1/security-events", "GET", "/api/v1/security-events?before_id=9223372036854775807", null, ok),

            new("GET /api/v1/events", "GET", $"/api/v1/events?q={Uri.EscapeDataString("organization.id:" + them.Code)}", null, ok, them.Code),
            new("GET /api/v1/events", "GET", $"/api/v1/events?q={Uri.EscapeDataString(them.Host)}", null, ok, them.Host),
            // Record-access events are left out here: one's own users' attempts on the other side's records carry what
            // they asked for (FhirScopeTests looks at those events).
            new("GET /api/v1/events", "GET", $"/api/v1/events?limit=1000&q={Uri.EscapeDataString($"(source.ip:\"{them.Address}\" OR user.name:{them.Account} OR NOT _exists_:nothing.here) AND NOT event.dataset:vigie.records")}", null, ok,
                them.Address, them.Account),
            new("GET /api/v1/events", "GET", $"/api/v1/events?limit=1000&cursor={cursor}&q={Uri.EscapeDataString("NOT event.dataset:vigie.records")}", null, ok),
            new("GET /api/v1/events/histogram", "GET", $"/api/v1/events/histogram?q={Uri.EscapeDataString("organization.id:" + them.Code)}", null, ok, them.Code),
            new("GET /api/v1/detections", "GET", $"/api/v1/detections?establishment={them.Code}", null, nf, them.Code),
            new("GET /api/v1/detections", "GET", $"/api/v1/detections?rule={SecurityWorld.RuleId}&limit=1000", null, ok),
            new("GET /api/v1/detections", "GET", "/api/v1/detections?before_id=9223372036854775807", null, ok),

            new("GET /api/v1/alerts/", "GET", $"/api/v1/alerts/?establishment={them.Code}", null, HttpStatusCode.BadRequest, them.Code),
            new("GET /api/v1/alerts/", "GET", $"/api/v1/alerts/?rule_id={SecurityWorld.RuleId}&limit=1000", null, ok),
            new("GET /api/v1/alerts/", "GET", "/api/v1/alerts/?cursor=9223372036854775807&category=privacy", null, ok),
            // An assignee of the other side is as unknown as one who does not exist (CredentialTests checks the latter).
            new("GET /api/v1/alerts/", "GET", $"/api/v1/alerts/?assignee={them.SecurityOfficer}", null, HttpStatusCode.BadRequest, them.SecurityOfficer),
            new("GET /api/v1/alerts/{id:long}", "GET", $"/api/v1/alerts/{alert}", null, nf),
            new("GET /api/v1/alerts/{id:long}", "GET", $"/api/v1/alerts/{privacy}", null, nf),
            new("POST /api/v1/alerts/{id:long}/acknowledge", "POST", $"/api/v1/alerts/{privacy}/acknowledge", new { comment = "seen" }, nf),
            new("POST /api/v1/alerts/{id:long}/close", "POST", $"/api/v1/alerts/{privacy}/close", new { resolution = "benign", reason = "not ours" }, nf),
            new("POST /api/v1/alerts/{id:long}/reopen", "POST", $"/api/v1/alerts/{privacy}/reopen", new { reason = "look again" }, nf),
            new("POST /api/v1/alerts/{id:long}/assign", "POST", $"/api/v1/alerts/{privacy}/assign", new { assignee = me.SecurityOfficer }, nf),
            new("POST /api/v1/alerts/{id:long}/assign", "POST", $"/api/v1/alerts/{me.PrivacyAlert}/assign", new { assignee = them.SecurityOfficer }, HttpStatusCode.BadRequest,
                them.SecurityOfficer),
            new("POST /api/v1/alerts/{id:long}/comments", "POST", $"/api/v1/alerts/{privacy}/comments", new { text = "what is this" }, nf),
            new("GET /api/v1/alerts/metrics", "GET", "/api/v1/alerts/metrics", null, ok),
            new("GET /api/v1/alerts/rules", "GET", "/api/v1/alerts/rules", null, ok),

            new("GET /api/v1/incidents/", "GET", $"/api/v1/incidents/?establishment={them.Code}", null, HttpStatusCode.BadRequest, them.Code),
            new("GET /api/v1/incidents/", "GET", "/api/v1/incidents/?cursor=9223372036854775807&limit=1000", null, ok),
            new("POST /api/v1/incidents/", "POST", "/api/v1/incidents/", new { title = "Theirs", establishment = them.Code }, HttpStatusCode.Forbidden, them.Code),
            new("POST /api/v1/incidents/", "POST", "/api/v1/incidents/", new { title = "Theirs", alert_ids = new[] { alert } }, HttpStatusCode.BadRequest),
            new("GET /api/v1/incidents/metrics", "GET", "/api/v1/incidents/metrics", null, ok),
            new("GET /api/v1/incidents/{id:long}", "GET", $"/api/v1/incidents/{incident}", null, nf),
            new("PATCH /api/v1/incidents/{id:long}", "PATCH", $"/api/v1/incidents/{incident}", new { title = "renamed" }, nf),
            new("POST /api/v1/incidents/{id:long}/contain", "POST", $"/api/v1/incidents/{incident}/contain", new { reason = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/close", "POST", $"/api/v1/incidents/{incident}/close", new { reason = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/reopen", "POST", $"/api/v1/incidents/{incident}/reopen", new { reason = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/assign", "POST", $"/api/v1/incidents/{incident}/assign", new { assignee = me.SecurityOfficer }, nf),
            new("POST /api/v1/incidents/{id:long}/alerts", "POST", $"/api/v1/incidents/{incident}/alerts", new { alert_ids = new[] { me.SecurityAlert } }, nf),
            new("POST /api/v1/incidents/{id:long}/alerts", "POST", $"/api/v1/incidents/{me.Incident}/alerts", new { alert_ids = new[] { alert } }, HttpStatusCode.BadRequest),
            new("POST /api/v1/incidents/{id:long}/qualify", "POST", $"/api/v1/incidents/{incident}/qualify", new { personal_data = false }, nf),
            new("POST /api/v1/incidents/{id:long}/tasks", "POST", $"/api/v1/incidents/{incident}/tasks", new { phase = "analysis", title = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/tasks/{taskId:long}", "POST", $"/api/v1/incidents/{incident}/tasks/1", new { status = "done" }, nf),
            new("POST /api/v1/incidents/{id:long}/observables", "POST", $"/api/v1/incidents/{incident}/observables", new { kind = "host", value = "x-01" }, nf),
            new("POST /api/v1/incidents/{id:long}/timeline", "POST", $"/api/v1/incidents/{incident}/timeline", new { text = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/comments", "POST", $"/api/v1/incidents/{incident}/comments", new { text = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/merge", "POST", $"/api/v1/incidents/{me.Incident}/merge", new { incident_ids = new[] { incident } }, nf),
            new("POST /api/v1/incidents/{id:long}/merge", "POST", $"/api/v1/incidents/{incident}/merge", new { incident_ids = new[] { me.Incident } }, nf),
            new("POST /api/v1/incidents/{id:long}/split", "POST", $"/api/v1/incidents/{incident}/split", new { alert_ids = new[] { alert }, title = "x" }, nf),
            new("GET /api/v1/incidents/{id:long}/notifications/{regulation}", "GET", $"/api/v1/incidents/{incident}/notifications/loi-05-20", null, nf),
            new("GET /api/v1/incidents/{id:long}/notifications/{regulation}", "GET", $"/api/v1/incidents/{incident}/notifications/loi-05-20?format=pdf", null, nf),
            new("POST /api/v1/incidents/{id:long}/notifications/{regulation}", "POST", $"/api/v1/incidents/{incident}/notifications/loi-05-20",
                new { submitted_at = DateTime.UtcNow.AddMinutes(-1), reference = "x" }, nf),
            new("POST /api/v1/incidents/{id:long}/evidence", "POST", $"/api/v1/incidents/{incident}/evidence?name=planted.txt", "planted", nf),
            new("GET /api/v1/incidents/{id:long}/evidence", "GET", $"/api/v1/incidents/{incident}/evidence", null, nf),
            new("GET /api/v1/incidents/{id:long}/evidence/{evidenceId:long}", "GET", $"/api/v1/incidents/{incident}/evidence/{evidence}?purpose=review", null, nf),
            new("GET /api/v1/incidents/{id:long}/evidence/{evidenceId:long}", "GET", $"/api/v1/incidents/{me.Incident}/evidence/{evidence}?purpose=review", null, nf),
            new("GET /api/v1/incidents/{id:long}/evidence/{evidenceId:long}/custody", "GET", $"/api/v1/incidents/{incident}/evidence/{evidence}/custody", null, nf),
            new("GET /api/v1/incidents/{id:long}/evidence/{evidenceId:long}/custody", "GET", $"/api/v1/incidents/{me.Incident}/evidence/{evidence}/custody", null, nf),
            new("POST /api/v1/incidents/{id:long}/evidence/{evidenceId:long}/verify", "POST", $"/api/v1/incidents/{incident}/evidence/{evidence}/verify", null, nf),
            new("POST /api/v1/incidents/{id:long}/evidence/{evidenceId:long}/verify", "POST", $"/api/v1/incidents/{me.Incident}/evidence/{evidence}/verify", null, nf),
            new("POST /api/v1/incidents/{id:long}/evidence/{evidenceId:long}/transfer", "POST", $"/api/v1/incidents/{incident}/evidence/{evidence}/transfer",
                new { to = "someone", reason = "x" }, nf),

            new("GET /api/v1/privacy/users/{username}/accesses", "GET", $"/api/v1/privacy/users/{them.Clinician}/accesses", null, ok, them.Clinician),
            new("POST /api/v1/privacy/patients/accessors", "POST", "/api/v1/privacy/patients/accessors", new { patient_id = them.LonePatientId }, ok, them.LonePatientId),
            new("POST /api/v1/privacy/patients/accessors", "POST", "/api/v1/privacy/patients/accessors", new { patient_id = them.PatientId }, ok, them.PatientId),
        ];
    }

    /// <summary>The same kind of calls on one's own objects: they succeed and show one's own data.</summary>
    public static IReadOnlyList<(string Route, string Path, string Shows)> Controls(SecurityWorld.Side me) =>
    [
        ("GET /api/v1/users/{username}", $"/api/v1/users/{me.Clinician}", me.Clinician),
        ("GET /api/v1/security-events", $"/api/v1/security-events?target={me.Clinician}", me.Code),
        ("GET /api/v1/events", $"/api/v1/events?q={Uri.EscapeDataString($"organization.id:{me.Code} AND event.action:vigie-audit-probe")}", me.Host),
        ("GET /api/v1/detections", $"/api/v1/detections?establishment={me.Code}", me.Code),
        ("GET /api/v1/alerts/{id:long}", $"/api/v1/alerts/{me.PrivacyAlert}", me.Code),
        ("GET /api/v1/alerts/", $"/api/v1/alerts/?establishment={me.Code}", me.Code),
        ("GET /api/v1/incidents/{id:long}", $"/api/v1/incidents/{me.Incident}", me.Host),
        ("GET /api/v1/incidents/{id:long}/evidence/{evidenceId:long}", $"/api/v1/incidents/{me.Incident}/evidence/{me.Evidence}?purpose=review", me.EvidenceText),
        ("GET /api/v1/incidents/{id:long}/notifications/{regulation}", $"/api/v1/incidents/{me.Incident}/notifications/loi-05-20", me.Code),
        ("GET /api/v1/privacy/users/{username}/accesses", $"/api/v1/privacy/users/{me.Clinician}/accesses", me.Clinician),
    ];

    private static HttpRequestMessage Request(Probe probe)
    {
        var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        request.Content = probe.Body switch
        {
            null when probe.Method is "POST" or "PUT" or "PATCH" => new StringContent("{}", Encoding.UTF8, "application/json"),
            null => null,
            string text => new StringContent(text, Encoding.UTF8, "text/plain"),
            var body => JsonContent.Create(body, options: new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }),
        };
        return request;
    }

    private static IEnumerable<(string User, string Role)> Callers(SecurityWorld.Side me) =>
        me.People.Where(p => p.Role is not (Core.Identity.Roles.Clinician or Core.Identity.Roles.Patient));

    [Fact]
    public void Every_route_the_review_marks_as_probed_has_probes_on_another_establishment()
    {
        var a = new SecurityWorld.Side { Name = "alpha", Code = "CHU-A", Region = "REG-A", Address = "x", CollectorKey = "x" };
        var probed = Probes(a, a).Select(p => p.Route).ToHashSet(StringComparer.Ordinal);
        foreach (var route in ReviewedRoutes.All.Where(r => r.Scope == ReviewedRoutes.Probed))
            probed.ShouldContain(route.Name, $"{route.Name} is reviewed as probed across establishments but has no probe");
        foreach (var name in probed)
            ReviewedRoutes.All.ShouldContain(r => r.Name == name, $"probe of an unknown route {name}");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task People_of_one_establishment_reach_nothing_of_the_other(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            foreach (var (user, role) in Callers(me))
            {
                using var client = await w.ClientAsync(user);
                foreach (var probe in Probes(me, them))
                {
                    var route = ReviewedRoutes.All.Single(r => r.Name == probe.Route);
                    if (!route.Roles.Contains(role))
                        continue;
                    var (status, body) = await (await client.SendAsync(Request(probe))).ReadAllAsync();
                    if (status != probe.Expected)
                        failures.Add($"{user} ({role}): {probe.Method} {probe.Path} answered {(int)status}, expected {(int)probe.Expected}: {Leaks.Cut(body)}");
                    failures.Check(body, them, $"{user} ({role}): {probe.Method} {probe.Path}", probe.Echoes);
                }
            }
        }
        failures.ShouldBeNone();

        // Nothing of the other side was changed by those calls: no trace of them in the objects.
        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        foreach (var side in new[] { w.A, w.B })
        {
            foreach (var path in new[] { $"/api/v1/alerts/{side.SecurityAlert}", $"/api/v1/alerts/{side.PrivacyAlert}", $"/api/v1/incidents/{side.Incident}",
                         $"/api/v1/incidents/{side.Incident}/evidence/{side.Evidence}/custody", $"/api/v1/users/{side.Clinician}", "/api/v1/collectors/" })
            {
                var (status, body) = await (await admin.GetAsync(path)).ReadAllAsync();
                status.ShouldBe(HttpStatusCode.OK, path);
                if (path != "/api/v1/collectors/")
                    body.ShouldHoldNothingOf(w.Other(side), $"{path} after the other side's probes");
            }
            var collectors = JsonDocument.Parse((await (await admin.GetAsync("/api/v1/collectors/")).ReadAllAsync()).Body).RootElement.GetProperty("items");
            collectors.EnumerateArray().Single(c => c.GetProperty("name").GetString() == side.Collector).GetProperty("active").GetBoolean().ShouldBeTrue();
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task People_reach_their_own_establishment_through_the_same_routes(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            foreach (var (user, role) in Callers(me))
            {
                using var client = await w.ClientAsync(user);
                foreach (var (routeName, path, shows) in Controls(me))
                {
                    var route = ReviewedRoutes.All.Single(r => r.Name == routeName);
                    if (!route.Roles.Contains(role))
                        continue;
                    var (status, body) = await (await client.GetAsync(path)).ReadAllAsync();
                    if (status != HttpStatusCode.OK || !body.Contains(shows, StringComparison.OrdinalIgnoreCase))
                        failures.Add($"{user} ({role}): GET {path} answered {(int)status} without '{shows}': {Leaks.Cut(body)}");
                }
            }
        }
        failures.ShouldBeNone();
    }
}
