using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Vigie.Core.Identity;

namespace Vigie.Server.Identity;

/// <summary>Collectors present <c>Authorization: ApiKey &lt;key&gt;</c>; a valid key becomes a principal with role <c>collector</c>.</summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CollectorRegistry collectors)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string CollectorRole = "collector";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var key = header[(SchemeName.Length + 1)..].Trim();
        var collector = await collectors.AuthenticateAsync(key, Context.Connection.RemoteIpAddress?.ToString(), Context.RequestAborted);
        if (collector is null)
            return AuthenticateResult.Fail("invalid or revoked API key");
        var identity = new ClaimsIdentity(
        [
            new Claim(VigieClaims.Collector, collector.Name),
            new Claim(VigieClaims.Username, "collector:" + collector.Name),
            new Claim(VigieClaims.Establishment, collector.EstablishmentId.ToString()),
            new Claim(VigieClaims.Role, CollectorRole),
        ], SchemeName, VigieClaims.Username, VigieClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
