using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Records;
using Vigie.Server.Identity;

namespace Vigie.Server.Fhir;

/// <summary>Builds the access subject and request context of a FHIR request from its token and headers.</summary>
internal static class FhirSubjects
{
    public const string ScopeClaim = "scope";
    public const string PurposeClaim = "purpose_of_use";
    public const string BreakGlassClaim = "break_glass_reason";

    private sealed record UserFacts(string? Profession, string? PractitionerId, string? PatientId, string? DisplayName);

    public static async Task<AccessSubject> SubjectAsync(HttpContext http, CancellationToken ct)
    {
        var principal = http.User;
        var id = Guid.TryParse(principal.FindFirst(VigieClaims.UserId)?.Value, out var g) ? g : Guid.Empty;
        var cache = http.RequestServices.GetRequiredService<IMemoryCache>();
        var stamp = principal.FindFirst(VigieClaims.SecurityStamp)?.Value;
        var facts = await cache.GetOrCreateAsync($"records-user:{id}:{stamp}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
            var db = http.RequestServices.GetRequiredService<VigieDbContext>();
            return await db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new UserFacts(u.Profession, u.PractitionerId, u.PatientId, u.DisplayName)).SingleOrDefaultAsync(ct);
        });
        var scopes = SmartScopes.Parse(principal.FindFirst(ScopeClaim)?.Value, out var scopeError);
        if (scopeError is not null)
            throw new FhirException(401, "security", $"the token's scope is invalid: {scopeError}");
        return new AccessSubject(id, principal.FindFirst(VigieClaims.Username)?.Value ?? "unknown",
            principal.FindAll(VigieClaims.Role).Select(c => c.Value).ToList(),
            Guid.TryParse(principal.FindFirst(VigieClaims.Establishment)?.Value, out var e) ? e : null,
            facts?.Profession, facts?.PractitionerId, facts?.PatientId, scopes, facts?.DisplayName);
    }

    public static FhirRequestContext Context(HttpContext http)
    {
        var purpose = http.Request.Headers[PurposeOfUse.HeaderName].ToString();
        if (purpose.Length == 0)
            purpose = http.User.FindFirst(PurposeClaim)?.Value ?? PurposeOfUse.Treatment;
        purpose = purpose.Trim();
        var justification = http.Request.Headers[PurposeOfUse.BreakGlassHeaderName].ToString();
        if (justification.Length == 0)
            justification = http.User.FindFirst(BreakGlassClaim)?.Value ?? "";
        if (justification.Length > 500)
            throw FhirException.Invalid($"{PurposeOfUse.BreakGlassHeaderName}: the justification is longer than 500 characters");
        var requestId = http.Request.Headers["X-Request-Id"].ToString();
        if (requestId.Length is 0 or > 100)
            requestId = http.TraceIdentifier;
        var context = new FhirRequestContext(requestId, http.Connection.RemoteIpAddress?.ToString(), purpose,
            justification.Length == 0 ? null : justification, $"{http.Request.Scheme}://{http.Request.Host}/fhir");
        if (!PurposeOfUse.IsKnown(purpose))
            throw new PurposeException(context, $"{PurposeOfUse.HeaderName}: '{purpose}' is not a v3-ActReason purpose of use; use one of: {string.Join(", ", PurposeOfUse.Known.Keys)}");
        return context;
    }

    /// <summary>An unknown purpose: refused, and recorded with the purpose as given.</summary>
    public sealed class PurposeException(FhirRequestContext context, string message) : Exception(message)
    {
        public FhirRequestContext Context { get; } = context;
    }

    public static VigieException NoUser() => VigieException.Forbidden("no user");
}
