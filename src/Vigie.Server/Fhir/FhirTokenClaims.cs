using System.Security.Claims;
using Vigie.Core.Records;

namespace Vigie.Server.Fhir;

/// <summary>The optional FHIR claims of an API token: SMART v2 scopes, purpose of use, break-the-glass reason.</summary>
internal static class FhirTokenClaims
{
    public static string? Check(string? scope, string? purpose, string? reason)
    {
        if (!string.IsNullOrWhiteSpace(scope) && SmartScopes.Parse(scope, out var error) is null && error is not null)
            return error;
        if (!string.IsNullOrWhiteSpace(purpose) && !PurposeOfUse.IsKnown(purpose.Trim()))
            return $"purpose_of_use '{purpose}' is not a v3-ActReason code; use one of: {string.Join(", ", PurposeOfUse.Known.Keys)}";
        if (reason is { Length: > 500 })
            return "break_glass_reason is longer than 500 characters";
        return null;
    }

    public static IEnumerable<Claim> Of(string? scope, string? purpose, string? reason)
    {
        if (!string.IsNullOrWhiteSpace(scope))
            yield return new Claim(FhirSubjects.ScopeClaim, scope.Trim());
        if (!string.IsNullOrWhiteSpace(purpose))
            yield return new Claim(FhirSubjects.PurposeClaim, purpose.Trim());
        if (!string.IsNullOrWhiteSpace(reason))
            yield return new Claim(FhirSubjects.BreakGlassClaim, reason.Trim());
    }
}
