using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Scoping never confirms that something exists: for every route that takes a name, a code or an id, the answer
/// about the other establishment's object is the answer about an object that does not exist at all, word for word
/// once the name itself is set aside.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class ExistenceOracleTests(SecurityWorlds worlds)
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A request about <c>{x}</c>, sent once with the other side's object and once with an object that does not exist.</summary>
    private sealed record Pair(string Method, string Path, Func<string, object?>? Body, string Foreign, string Absent);

    private static IEnumerable<Pair> Pairs(SecurityWorld.Side me, SecurityWorld.Side them)
    {
        const string NoUser = "nobody.here";
        const string NoCode = "LAB-NOWHERE";
        var expires = DateTime.UtcNow.AddDays(3);
        return
        [
            new("GET", "/api/v1/users/{x}", null, them.Clinician, NoUser),
            new("POST", "/api/v1/users/{x}/disable", null, them.Clinician, NoUser),
            new("POST", "/api/v1/collectors/{x}/revoke", null, them.Collector, "fw-nowhere"),
            new("GET", "/api/v1/alerts/?assignee={x}", null, them.SecurityOfficer, NoUser),
            new("POST", $"/api/v1/alerts/{me.PrivacyAlert}/assign", x => new { assignee = x }, them.SecurityOfficer, NoUser),
            new("POST", $"/api/v1/incidents/{me.Incident}/assign", x => new { assignee = x }, them.SecurityOfficer, NoUser),
            new("POST", "/api/v1/alerts/suppressions/", x => new { rule_id = "oracle-rule", establishment = me.Code, owner = x, reason = "checking names", expires_at = expires },
                them.SocAnalyst, NoUser),
            new("GET", "/api/v1/security-events?target={x}", null, them.Clinician, NoUser),
            new("GET", "/api/v1/privacy/users/{x}/accesses?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", null, them.Clinician, NoUser),
            new("GET", "/api/v1/alerts/?establishment={x}", null, them.Code, NoCode),
            new("GET", "/api/v1/incidents/?establishment={x}", null, them.Code, NoCode),
            new("GET", "/api/v1/detections?establishment={x}", null, them.Code, NoCode),
            new("GET", "/api/v1/alerts/{x}", null, them.SecurityAlert.ToString(System.Globalization.CultureInfo.InvariantCulture), "987654321"),
            new("GET", "/api/v1/incidents/{x}", null, them.Incident.ToString(System.Globalization.CultureInfo.InvariantCulture), "987654321"),
            new("GET", $"/api/v1/incidents/{me.Incident}/evidence/{{x}}", null, them.Evidence.ToString(System.Globalization.CultureInfo.InvariantCulture), "987654321"),
            new("POST", "/api/v1/incidents/", x => new { title = "Probe", alert_ids = new[] { long.Parse(x, System.Globalization.CultureInfo.InvariantCulture) } },
                them.SecurityAlert.ToString(System.Globalization.CultureInfo.InvariantCulture), "987654321"),
        ];
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, Pair pair, string value)
    {
        using var request = new HttpRequestMessage(new HttpMethod(pair.Method), pair.Path.Replace("{x}", Uri.EscapeDataString(value), StringComparison.Ordinal));
        if (pair.Body is not null)
            request.Content = JsonContent.Create(pair.Body(value), options: Snake);
        else if (pair.Method == "POST")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        var (status, body) = await (await client.SendAsync(request)).ReadAllAsync();
        // Problem details carry the request's trace id, which differs from one request to the next.
        var text = System.Text.RegularExpressions.Regex.Replace(body, "\"trace_?[iI]d\":\"[^\"]*\"", "");
        return ((int)status, System.Text.RegularExpressions.Regex.Replace(text, $@"(?<![\w.-]){System.Text.RegularExpressions.Regex.Escape(value)}(?![\w.-])", "{x}",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase));
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_other_establishments_objects_are_answered_for_like_objects_that_do_not_exist(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            foreach (var user in new[] { me.Admin, me.SocAnalyst })
            {
                using var client = await w.ClientAsync(user);
                foreach (var pair in Pairs(me, them))
                {
                    var foreign = await SendAsync(client, pair, pair.Foreign);
                    var absent = await SendAsync(client, pair, pair.Absent);
                    if (foreign != absent)
                        failures.Add($"{user}: {pair.Method} {pair.Path}: about {pair.Foreign} {foreign.Status} {Leaks.Cut(foreign.Body)}; about {pair.Absent} {absent.Status} {Leaks.Cut(absent.Body)}");
                }
            }
        }
        failures.ShouldBeNone();
    }
}
