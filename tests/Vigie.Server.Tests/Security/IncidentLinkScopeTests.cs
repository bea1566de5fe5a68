using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// An incident belongs to one establishment, and everyone of that establishment sees its alerts, their fields and
/// the observables drawn from them. A national analyst (or a regional officer) sees more than any one hospital:
/// they must not be able to put one establishment's alerts, or a whole incident, into an incident another
/// establishment's people read.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class IncidentLinkScopeTests(SecurityWorlds worlds)
{
    private static int _next;

    /// <summary>A fresh alert at <paramref name="establishment"/>, through the alert builder, with a host name that says whose it is.</summary>
    private static async Task<long> AlertAsync(SecurityWorld w, string establishment, string host)
    {
        var rule = $"link-scope-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}";
        await w.Host.WithServicesAsync(async sp =>
        {
            var id = (await sp.GetRequiredService<EstablishmentRegistry>().FindAsync(establishment))!.Id;
            return await sp.GetRequiredService<AlertBuilder>().AddAsync(
            [
                new IncomingDetection
                {
                    Source = "security-review", Id = rule, RuleId = rule, Title = "Port scan from a workstation", Level = Vigie.Sigma.SigmaLevel.High,
                    EstablishmentId = id, Time = DateTime.UtcNow.AddMinutes(-5),
                    Fields = new Dictionary<string, string> { ["host.name"] = host, ["source.ip"] = "203.0.113.77", ["user.name"] = "svc.scanner" },
                },
            ]);
        });
        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        return (await (await admin.GetAsync($"/api/v1/alerts/?rule_id={rule}")).ReadAsync()).GetProperty("items")[0].GetProperty("id").GetInt64();
    }

    private static async Task<long> IncidentAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/v1/incidents/", request, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var body = await response.ReadAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetInt64();
    }

    private static async Task ShouldSeeNothingOfAsync(SecurityWorld w, SecurityWorld.Side reader, long incident, SecurityWorld.Side other)
    {
        using var officer = await w.ClientAsync(reader.SecurityOfficer);
        var (status, body) = await (await officer.GetAsync($"/api/v1/incidents/{incident}")).ReadAllAsync();
        if (status == HttpStatusCode.OK)
            body.ShouldHoldNothingOf(other, $"{reader.SecurityOfficer} reading incident {incident}");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_incident_named_for_one_establishment_takes_no_alert_of_another(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var theirs = await AlertAsync(w, w.B.Code, "ws-bravo-02");
        using var soc = await w.ClientAsync(SecurityWorld.NationalSoc);
        var response = await soc.PostAsJsonAsync("/api/v1/incidents/", new { title = "Scan", establishment = w.A.Code, alert_ids = new[] { theirs } });
        var (status, body) = await response.ReadAllAsync();
        status.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain($"alert {theirs}");

        // Left to itself, the incident is placed where both sides are: the national centre, which neither officer sees.
        var mine = await AlertAsync(w, w.A.Code, "ws-alpha-02");
        var both = await IncidentAsync(soc, new { title = "Scan on both sides", alert_ids = new[] { mine, theirs } });
        (await (await soc.GetAsync($"/api/v1/incidents/{both}")).ReadAsync()).GetProperty("establishment").GetString().ShouldBe("NAT");
        using var officer = await w.ClientAsync(w.A.SecurityOfficer);
        (await officer.GetAsync($"/api/v1/incidents/{both}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Another_establishments_alert_is_not_added_to_an_incident(string provider)
    {
        var w = await worlds.GetAsync(provider);
        using var soc = await w.ClientAsync(SecurityWorld.NationalSoc);
        var incident = await IncidentAsync(soc, new { title = "Scan at alpha", alert_ids = new[] { await AlertAsync(w, w.A.Code, "ws-alpha-03") } });
        var theirs = await AlertAsync(w, w.B.Code, "ws-bravo-03");
        var (status, body) = await (await soc.PostAsJsonAsync($"/api/v1/incidents/{incident}/alerts", new { alert_ids = new[] { theirs } })).ReadAllAsync();
        status.ShouldBe(HttpStatusCode.BadRequest, body);
        await ShouldSeeNothingOfAsync(w, w.A, incident, w.B);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Another_establishments_incident_is_not_merged_into_an_incident(string provider)
    {
        var w = await worlds.GetAsync(provider);
        using var soc = await w.ClientAsync(SecurityWorld.NationalSoc);
        var mine = await IncidentAsync(soc, new { title = "Scan at alpha", alert_ids = new[] { await AlertAsync(w, w.A.Code, "ws-alpha-04") } });
        var theirs = await IncidentAsync(soc, new { title = "Scan at bravo", alert_ids = new[] { await AlertAsync(w, w.B.Code, "ws-bravo-04") } });
        var (status, body) = await (await soc.PostAsJsonAsync($"/api/v1/incidents/{mine}/merge", new { incident_ids = new[] { theirs } })).ReadAllAsync();
        status.ShouldBe(HttpStatusCode.BadRequest, body);
        await ShouldSeeNothingOfAsync(w, w.A, mine, w.B);
        (await (await soc.GetAsync($"/api/v1/incidents/{theirs}")).ReadAsync()).GetProperty("status").GetString().ShouldBe("open");

        // Merging into an incident placed above both is how the two are brought together.
        var above = await IncidentAsync(soc, new { title = "Scans on both sides", establishment = "NAT" });
        (await soc.PostAsJsonAsync($"/api/v1/incidents/{above}/merge", new { incident_ids = new[] { mine, theirs } })).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_regional_officer_does_not_hand_the_regions_alert_to_one_of_its_hospitals(string provider)
    {
        var w = await worlds.GetAsync(provider);
        using var regional = await w.ClientAsync(w.A.RegionOfficer);
        var regionAlert = await AlertAsync(w, w.A.Region, "ws-region-a-05");
        var (status, body) = await (await regional.PostAsJsonAsync("/api/v1/incidents/", new { title = "Scan", establishment = w.A.Code, alert_ids = new[] { regionAlert } })).ReadAllAsync();
        status.ShouldBe(HttpStatusCode.BadRequest, body);

        // The hospital's own alert may go into an incident of the region.
        var hospitalAlert = await AlertAsync(w, w.A.Code, "ws-alpha-05");
        var incident = await IncidentAsync(regional, new { title = "Scan in the region", establishment = w.A.Region, alert_ids = new[] { regionAlert, hospitalAlert } });
        using var officer = await w.ClientAsync(w.A.SecurityOfficer);
        (await officer.GetAsync($"/api/v1/incidents/{incident}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
