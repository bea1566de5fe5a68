using Microsoft.AspNetCore.Authorization;
using Vigie.Server.Identity;

namespace Vigie.Server.Hosting;

/// <summary>
/// Who may call an endpoint, stated at the endpoint. Every endpoint carries one (a test enumerates them):
/// public, any signed-in user, or a list of roles.
/// </summary>
internal sealed record EndpointAccess(string Description, IReadOnlyList<string> Roles)
{
    public const string Bearer = "Bearer";
    public const string Console = "Console";

    public static EndpointAccess Public { get; } = new("public", []);
}

internal static class EndpointAccessExtensions
{
    /// <summary>Callable by API tokens of users holding one of <paramref name="roles"/>.</summary>
    public static TBuilder AllowRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess($"roles: {string.Join(", ", roles)}", roles))
            .RequireAuthorization(new AuthorizeAttribute { Roles = string.Join(',', roles), AuthenticationSchemes = EndpointAccess.Bearer });

    /// <summary>Callable by the API token of any signed-in user, about themselves.</summary>
    public static TBuilder AllowSignedIn<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess("any signed-in user", []))
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = EndpointAccess.Bearer });

    /// <summary>Callable by collectors with their API key.</summary>
    public static TBuilder AllowCollectors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess("collectors (API key)", [ApiKeyAuthentication.CollectorRole]))
            .RequireAuthorization(new AuthorizeAttribute { Roles = ApiKeyAuthentication.CollectorRole, AuthenticationSchemes = ApiKeyAuthentication.SchemeName });

    /// <summary>Callable without credentials: health, the token endpoint, the OpenAPI document.</summary>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(EndpointAccess.Public).AllowAnonymous();
}
