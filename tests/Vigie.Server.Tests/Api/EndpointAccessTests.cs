using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Server.Hosting;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Api;

public sealed class EndpointAccessTests
{
    [SkippableFact]
    public async Task Every_endpoint_states_who_may_call_it()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        endpoints.Count.ShouldBeGreaterThan(10);

        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var name = $"{string.Join(',', endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {endpoint.RoutePattern.RawText}";
            var access = endpoint.Metadata.GetMetadata<EndpointAccess>();
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            // Explicit: public and anonymous, or restricted by an authorisation rule that the access metadata describes.
            var ok = access is not null && (access == EndpointAccess.Public ? anonymous : !anonymous && authorize.Count > 0);
            if (!ok)
                missing.Add(name);
        }
        missing.ShouldBeEmpty("endpoints without an explicit access rule (use AllowRoles, AllowSignedIn, AllowCollectors or AllowPublic)");
    }

    [SkippableFact]
    public async Task Health_readiness_and_the_OpenAPI_document_need_no_credentials()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        (await (await host.Client.GetAsync("/healthz")).ReadAsync()).GetProperty("status").GetString().ShouldBe("alive");
        (await (await host.Client.GetAsync("/readyz")).ReadAsync()).GetProperty("status").GetString().ShouldBe("ready");
        var openapi = await (await host.Client.GetAsync("/openapi/v1.json")).ReadAsync();
        openapi.GetProperty("paths").TryGetProperty("/api/v1/auth/token", out _).ShouldBeTrue();
    }
}
