using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Alert tuning is for administrators and SOC analysts, and both roles exist below the national centre (a
/// region's administrator, a hospital's SOC analyst). Such a person suppresses, sees and revokes the suppressions
/// of their own establishments only; exceptions, which apply everywhere, are the national centre's.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class TuningScopeTests(SecurityWorlds worlds)
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static object Suppression(string rule, string? establishment, string owner, string? entity = null) => new
    {
        rule_id = rule, entity, establishment, owner, reason = "noisy during the migration", expires_at = DateTime.UtcNow.AddDays(7),
    };

    private static string Exception(string title, string host) => $"""
        title: {title}
        logsource:
            product: vigie-security-test
        filter:
            rules:
                - tuning-exception-rule
            selection:
                host.name: {host}
            condition: selection
        """;

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Tuning_below_the_national_centre_stays_within_ones_own_establishments(string provider)
    {
        var w = await worlds.GetAsync(provider);
        using var national = await w.ClientAsync(SecurityWorld.NationalSoc);
        var theirs = await national.PostAsJsonAsync("/api/v1/alerts/suppressions/", Suppression($"tuning-{w.B.Name}-rule", w.B.Code, w.B.SocAnalyst, $"host:{w.B.Host}"), Snake);
        theirs.StatusCode.ShouldBe(HttpStatusCode.Created, await theirs.Content.ReadAsStringAsync());
        var theirId = (await theirs.ReadAsync()).GetProperty("id").GetInt64();
        var exception = await national.PostAsJsonAsync("/api/v1/alerts/exceptions/",
            new { yaml = Exception($"Backup window of {w.B.Name}", w.B.Host), owner = SecurityWorld.NationalSoc, reason = "nightly backup", expires_at = DateTime.UtcNow.AddDays(7) }, Snake);
        exception.StatusCode.ShouldBe(HttpStatusCode.Created, await exception.Content.ReadAsStringAsync());
        var exceptionId = (await exception.ReadAsync()).GetProperty("id").GetInt64();

        var failures = new List<string>();
        foreach (var user in new[] { w.A.Admin, w.A.SocAnalyst })
        {
            using var client = await w.ClientAsync(user);
            async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what, params string[] echoes)
            {
                var (status, body) = await response.ReadAllAsync();
                if (status != expected)
                    failures.Add($"{user}: {what} answered {(int)status}, expected {(int)expected}: {Leaks.Cut(body)}");
                failures.Check(body, w.B, $"{user}: {what}", echoes);
            }

            await ExpectAsync(await client.PostAsJsonAsync("/api/v1/alerts/suppressions/", Suppression(SecurityWorld.RuleId, w.B.Code, user), Snake),
                HttpStatusCode.Forbidden, "suppressing for the other establishment", w.B.Code);
            await ExpectAsync(await client.PostAsJsonAsync("/api/v1/alerts/suppressions/", Suppression(SecurityWorld.RuleId, null, user), Snake),
                HttpStatusCode.Forbidden, "suppressing for every establishment");
            await ExpectAsync(await client.PostAsJsonAsync("/api/v1/alerts/suppressions/", Suppression("tuning-own-rule", w.A.Code, w.B.SocAnalyst), Snake),
                HttpStatusCode.BadRequest, "naming an owner of the other establishment", w.B.SocAnalyst);
            await ExpectAsync(await client.PostAsync($"/api/v1/alerts/suppressions/{theirId}/revoke", null), HttpStatusCode.NotFound, "revoking the other's suppression");
            await ExpectAsync(await client.GetAsync("/api/v1/alerts/suppressions/?all=true"), HttpStatusCode.OK, "listing suppressions");
            await ExpectAsync(await client.PostAsJsonAsync("/api/v1/alerts/exceptions/",
                    new { yaml = Exception("Mine", w.A.Host), owner = user, reason = "nightly backup", expires_at = DateTime.UtcNow.AddDays(7) }, Snake),
                HttpStatusCode.Forbidden, "adding an exception for every establishment");
            await ExpectAsync(await client.PostAsync($"/api/v1/alerts/exceptions/{exceptionId}/revoke", null), HttpStatusCode.NotFound, "revoking a national exception");
            await ExpectAsync(await client.GetAsync("/api/v1/alerts/exceptions/?all=true"), HttpStatusCode.OK, "listing exceptions");
            await ExpectAsync(await client.GetAsync("/api/v1/alerts/rules"), HttpStatusCode.OK, "rule statistics");

            // Their own establishment is theirs to tune.
            var own = await client.PostAsJsonAsync("/api/v1/alerts/suppressions/", Suppression($"tuning-own-rule-{user}", w.A.Code, user, $"host:{w.A.Host}"), Snake);
            var ownBody = await own.ReadAsync();
            own.StatusCode.ShouldBe(HttpStatusCode.Created, ownBody.ToString());
            var listed = (await (await client.GetAsync("/api/v1/alerts/suppressions/")).ReadAsync()).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()).ToList();
            listed.ShouldContain(ownBody.GetProperty("id").GetInt64());
            (await client.PostAsync($"/api/v1/alerts/suppressions/{ownBody.GetProperty("id").GetInt64()}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        failures.ShouldBeNone();

        // The national centre's view is whole, and the other establishment's tuning is untouched.
        var all = await (await national.GetAsync("/api/v1/alerts/suppressions/")).ReadAsync();
        all.GetProperty("items").EnumerateArray().ShouldContain(s => s.GetProperty("id").GetInt64() == theirId && s.GetProperty("active").GetBoolean());
        var exceptions = await (await national.GetAsync("/api/v1/alerts/exceptions/")).ReadAsync();
        exceptions.GetProperty("items").EnumerateArray().ShouldContain(e => e.GetProperty("id").GetInt64() == exceptionId && e.GetProperty("active").GetBoolean());
        (await national.PostAsync($"/api/v1/alerts/suppressions/{theirId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await national.PostAsync($"/api/v1/alerts/exceptions/{exceptionId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
