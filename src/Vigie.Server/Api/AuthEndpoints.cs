using Vigie.Core;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

internal static class AuthEndpoints
{
    /// <summary>Scope (SMART v2), purpose of use and break-the-glass reason are optional claims for FHIR access.</summary>
    public sealed record TokenRequest(string? Username, string? Password, string? Totp, string? Scope = null, string? PurposeOfUse = null, string? BreakGlassReason = null);

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

    public sealed record CodeRequest(string? Code);

    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    public static void Map(WebApplication app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Sign-in");
        auth.MapPost("/token", IssueTokenAsync).AllowPublic()
            .WithSummary("Exchange a username, password and (when enrolled) TOTP code for a short-lived API token.");

        var me = app.MapGroup("/api/v1/me").WithTags("Sign-in");
        me.MapGet("/", MeAsync).AllowSignedIn().WithSummary("Who the token belongs to: roles, establishment, second factor.");
        me.MapPost("/password", ChangePasswordAsync).AllowSignedIn().WithSummary("Change one's own password.");
        me.MapPost("/totp", StartTotpAsync).AllowSignedIn().WithSummary("Start enrolling an authenticator: returns the secret and otpauth URI.");
        me.MapPost("/totp/confirm", ConfirmTotpAsync).AllowSignedIn().WithSummary("Confirm enrolment with a first code; returns recovery codes once.");
        me.MapPost("/totp/disable", DisableTotpAsync).AllowSignedIn().WithSummary("Disable the second factor with a current code.");
    }

    private static async Task<IResult> IssueTokenAsync(TokenRequest request, SignInService signIn, TokenService tokens,
        SecurityEventWriter events, Vigie.Core.Data.VigieDbContext db, HttpContext http, CancellationToken ct)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        var outcome = await signIn.PasswordSignInAsync(request.Username, request.Password, request.Totp, address, ct);
        switch (outcome.Status)
        {
            case SignInStatus.Succeeded:
                var user = outcome.User!;
                events.Add(SecurityEventType.TokenIssued, new Actor(user.Username, user.Id, user.EstablishmentId, address), user.Username,
                    details: new { lifetime_seconds = (int)TokenService.Lifetime.TotalSeconds });
                await db.SaveChangesAsync(ct);
                if (Fhir.FhirTokenClaims.Check(request.Scope, request.PurposeOfUse, request.BreakGlassReason) is { } claimError)
                    return Results.Problem(statusCode: 400, title: "Invalid request", detail: claimError);
                return Results.Ok(new TokenResponse(tokens.Issue(user, Fhir.FhirTokenClaims.Of(request.Scope, request.PurposeOfUse, request.BreakGlassReason)), "Bearer", (int)TokenService.Lifetime.TotalSeconds));
            case SignInStatus.SecondFactorRequired:
                return Results.Problem(statusCode: 401, title: "Second factor required", detail: outcome.Message,
                    extensions: new Dictionary<string, object?> { ["mfa_required"] = true });
            case SignInStatus.LockedOut:
                return Results.Problem(statusCode: 423, title: "Account locked", detail: outcome.Message);
            case SignInStatus.Failed:
            case SignInStatus.Disabled:
                return Results.Problem(statusCode: 401, title: "Sign-in refused", detail: outcome.Message);
            default:
                throw new InvalidOperationException($"unexpected sign-in status {outcome.Status}");
        }
    }

    private static async Task<IResult> MeAsync(CurrentUser current, UserAdministration users, EstablishmentIndex index, CancellationToken ct)
    {
        var user = await users.FindAsync(current.Username, Vigie.Core.Establishments.AccessScope.Everything, ct);
        return Results.Ok(UserView.From(user, await index.GetAsync(ct)));
    }

    private static async Task<IResult> ChangePasswordAsync(PasswordChange request, CurrentUser current, UserAdministration users, SessionValidator sessions, CancellationToken ct)
    {
        var user = await users.ChangeOwnPasswordAsync(current.Id ?? throw VigieException.Forbidden("no user"), request.CurrentPassword ?? "",
            request.NewPassword ?? "", current.Actor, ct);
        sessions.Forget(user.Id);
        return Results.NoContent();
    }

    private static async Task<IResult> StartTotpAsync(CurrentUser current, TotpEnrolment totp, CancellationToken ct)
    {
        var started = await totp.StartAsync(current.Id ?? throw VigieException.Forbidden("no user"), current.Actor, ct);
        return Results.Ok(new { secret = started.Secret, otpauth_uri = started.Uri });
    }

    private static async Task<IResult> ConfirmTotpAsync(CodeRequest request, CurrentUser current, TotpEnrolment totp, SessionValidator sessions, CancellationToken ct)
    {
        var codes = await totp.ConfirmAsync(current.Id ?? throw VigieException.Forbidden("no user"), request.Code, current.Actor, ct);
        sessions.Forget(current.Id.Value);
        return Results.Ok(new { recovery_codes = codes });
    }

    private static async Task<IResult> DisableTotpAsync(CodeRequest request, CurrentUser current, TotpEnrolment totp, SessionValidator sessions, CancellationToken ct)
    {
        await totp.DisableAsync(current.Id ?? throw VigieException.Forbidden("no user"), request.Code, current.Actor, ct);
        sessions.Forget(current.Id.Value);
        return Results.NoContent();
    }
}
