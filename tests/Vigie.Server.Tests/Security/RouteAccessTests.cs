using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// Every route of the application, enumerated from the running host, against the review's table: nothing is
/// left unreviewed, each admits the roles the review expects, and each refuses everyone else, whatever the
/// credential (another role's token, a collector key, no credential at all).
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class RouteAccessTests(SecurityWorlds worlds)
{
    private static List<RouteEndpoint> Endpoints(VigieTestHost host) =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static IEnumerable<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];

    [SkippableFact]
    public async Task Every_route_of_the_application_has_been_reviewed()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        var live = Endpoints(host).SelectMany(e => Methods(e).Select(m => $"{m} {e.RoutePattern.RawText}")).ToHashSet(StringComparer.Ordinal);
        var reviewed = ReviewedRoutes.All.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        live.Except(reviewed).Order(StringComparer.Ordinal).ShouldBeEmpty("routes nobody reviewed for roles and establishment scope: add them to ReviewedRoutes");
        reviewed.Except(live).Order(StringComparer.Ordinal).ShouldBeEmpty("reviewed routes that no longer exist");
        ReviewedRoutes.All.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count().ShouldBe(ReviewedRoutes.All.Count);
    }

    [SkippableFact]
    public async Task Every_route_admits_exactly_the_roles_the_review_expects()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        var wrong = new List<string>();
        foreach (var endpoint in Endpoints(host))
        {
            var access = endpoint.Metadata.GetMetadata<EndpointAccess>();
            foreach (var method in Methods(endpoint))
            {
                var review = ReviewedRoutes.All.Single(r => r.Name == $"{method} {endpoint.RoutePattern.RawText}");
                var declared = access?.Roles.Order(StringComparer.Ordinal).ToList() ?? [];
                var expected = review.Audience switch
                {
                    Audience.Collectors => ["collector"],
                    _ => review.Roles.Order(StringComparer.Ordinal).ToList(),
                };
                if (access is null || !declared.SequenceEqual(expected))
                    wrong.Add($"{review.Name}: declared [{string.Join(", ", declared)}], reviewed [{string.Join(", ", expected)}]");
                if (access is not null && (access == EndpointAccess.Public) != (review.Audience == Audience.Public))
                    wrong.Add($"{review.Name}: public is {access == EndpointAccess.Public}, the review says {review.Audience}");
            }
        }
        wrong.ShouldBeEmpty();
    }

    /// <summary>One person of establishment A per role, and the national partner.</summary>
    private static IEnumerable<(string Role, string User)> OnePerRole(SecurityWorld w) =>
        w.A.People.Where(p => p.User != w.A.RegionOfficer).Select(p => (p.Role, p.User)).Append((Roles.Partner, SecurityWorld.Partner));

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method == "*" ? "GET" : method), path);
        if (method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Every_role_the_review_does_not_list_is_refused_and_learns_nothing(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        foreach (var (role, user) in OnePerRole(w))
        {
            using var client = await w.ClientAsync(user);
            foreach (var route in ReviewedRoutes.All.Where(r => r.Audience == Audience.Roles && !r.Roles.Contains(role)))
            {
                var path = ReviewedRoutes.Fill(route.Path, w.B);
                var (status, body) = await (await client.SendAsync(Request(route.Method, path))).ReadAllAsync();
                if (status != HttpStatusCode.Forbidden)
                    failures.Add($"{role} {user}: {route.Method} {path} answered {(int)status}, not 403");
                body.ShouldHoldNothingOf(w.B, $"{role} on {route.Name}");
            }
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_collector_key_opens_no_user_route_and_a_user_token_opens_no_collector_route(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        using var collector = w.CollectorClient(w.A.CollectorKey);
        foreach (var route in ReviewedRoutes.All.Where(r => r.Audience is Audience.Roles or Audience.SignedIn))
        {
            var path = ReviewedRoutes.Fill(route.Path, w.B);
            var (status, body) = await (await collector.SendAsync(Request(route.Method, path))).ReadAllAsync();
            if (status != HttpStatusCode.Unauthorized)
                failures.Add($"collector key: {route.Method} {path} answered {(int)status}, not 401");
            body.ShouldHoldNothingOf(w.B, $"collector key on {route.Name}");
        }
        foreach (var (role, user) in OnePerRole(w).Append((Roles.Admin, SecurityWorld.NationalAdmin)))
        {
            using var client = await w.ClientAsync(user);
            foreach (var route in ReviewedRoutes.All.Where(r => r.Audience == Audience.Collectors))
            {
                var request = Request(route.Method, route.Path);
                request.Content = new StringContent("{\"message\":\"forged by a user\"}", Encoding.UTF8, "application/x-ndjson");
                var (status, _) = await (await client.SendAsync(request)).ReadAllAsync();
                if (status != HttpStatusCode.Unauthorized)
                    failures.Add($"{role} {user}: {route.Method} {route.Path} answered {(int)status}, not 401");
            }
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Without_credentials_only_public_routes_answer(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = w.Host.Address };
        foreach (var route in ReviewedRoutes.All.Where(r => r.Audience != Audience.Public))
        {
            var path = ReviewedRoutes.Fill(route.Path, w.B);
            var (status, body) = await (await anonymous.SendAsync(Request(route.Method, path))).ReadAllAsync();
            var expected = route.Audience == Audience.Console ? HttpStatusCode.Redirect : HttpStatusCode.Unauthorized;
            if (status != expected)
                failures.Add($"anonymous: {route.Method} {path} answered {(int)status}, not {(int)expected}");
            body.ShouldHoldNothingOf(w.B, $"anonymous on {route.Name}");
        }
        failures.ShouldBeNone();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_bearer_token_opens_no_console_page(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var failures = new List<string>();
        using var admin = await w.ClientAsync(SecurityWorld.NationalAdmin);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = w.Host.Address };
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        foreach (var route in ReviewedRoutes.All.Where(r => r.Audience == Audience.Console))
        {
            var path = ReviewedRoutes.Fill(route.Path, w.B);
            var (status, body) = await (await client.SendAsync(Request("GET", path))).ReadAllAsync();
            if (status != HttpStatusCode.Redirect)
                failures.Add($"bearer token: GET {path} answered {(int)status}, not a redirect to the sign-in page");
            body.ShouldHoldNothingOf(w.B, $"bearer token on {route.Name}");
        }
        failures.ShouldBeNone();
    }
}
