using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using Vigie.Core.Audit;
using Vigie.Core.Records;

namespace Vigie.Server.Fhir;

/// <summary>
/// Under <c>/fhir</c>, a missing, forged or expired token is answered with an OperationOutcome (401) and recorded
/// in the ledger like any refused access; elsewhere the default handling applies.
/// </summary>
internal sealed class FhirAuthorizationResultHandler(LedgerWriter ledger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!context.Request.Path.StartsWithSegments("/fhir") || !(result.Challenged || result.Forbidden))
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        var failure = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure;
        var header = context.Request.Headers.Authorization.ToString();
        var reason = failure switch
        {
            null when header.Length == 0 => "a bearer token is required (POST /api/v1/auth/token)",
            SecurityTokenExpiredException => "the token has expired; request a new one",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token's signature is invalid",
            SecurityTokenInvalidAudienceException or SecurityTokenInvalidIssuerException => "the token was not issued for this API",
            null when header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) => "the token is invalid",
            null => "a bearer token is required (POST /api/v1/auth/token)",
            _ => failure.Message.StartsWith("the account", StringComparison.Ordinal) ? failure.Message : "the token is invalid",
        };
        var type = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault();
        await ledger.AppendAsync(new LedgerEntry
        {
            RequestId = context.TraceIdentifier,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Action = context.Request.Method switch { "GET" => "read", "POST" => "create", "PUT" => "update", "DELETE" => "delete", _ => "request" },
            ResourceType = type is not null && RecordGateway.IsServed(type) ? type : null,
            Status = 401,
            Decision = "deny",
            Reasons = $"unauthenticated: {reason}",
            Purpose = null,
            PrevHash = [],
            Hash = [],
        });
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = FhirEndpoints.ContentType;
        await context.Response.Body.WriteAsync(OperationOutcomes.Error("login", reason));
    }
}
