using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Identity;

/// <summary>A user enrols an authenticator: a new secret, confirmed by a first code, then recovery codes.</summary>
public sealed class TotpEnrolment(VigieDbContext db, SecurityEventWriter events, SignInService signIn, TimeProvider clock)
{
    public sealed record Started(string Secret, string Uri);

    public async Task<Started> StartAsync(Guid userId, Actor actor, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw VigieException.NotFound("user does not exist");
        if (user.TotpEnabled)
            throw VigieException.Conflict("a second factor is already enabled; disable it first");
        var secret = Totp.NewSecret();
        user.TotpSecretProtected = Convert.ToBase64String(signIn.TotpProtector.Protect(secret));
        events.Add(SecurityEventType.TotpEnrolmentStarted, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
        return new Started(Totp.ToBase32(secret), Totp.Uri("Vigie", user.Username, secret));
    }

    /// <summary>Confirms enrolment with a first code; returns the recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> ConfirmAsync(Guid userId, string? code, Actor actor, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw VigieException.NotFound("user does not exist");
        if (user.TotpEnabled)
            throw VigieException.Conflict("the second factor is already enabled");
        if (user.TotpSecretProtected is null)
            throw VigieException.Invalid("start the enrolment first");
        var secret = signIn.TotpProtector.Unprotect(Convert.FromBase64String(user.TotpSecretProtected));
        var step = Totp.Verify(secret, code, clock.GetUtcNow()) ?? throw VigieException.Invalid("the code does not match; check the authenticator's clock");
        var codes = RecoveryCodes.Generate();
        user.TotpEnabled = true;
        user.LastTotpStep = step;
        user.RecoveryCodeHashes = RecoveryCodes.HashAll(codes);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(SecurityEventType.TotpEnabled, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
        return codes;
    }

    public async Task DisableAsync(Guid userId, string? code, Actor actor, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) ?? throw VigieException.NotFound("user does not exist");
        if (!user.TotpEnabled || user.TotpSecretProtected is null)
            throw VigieException.Invalid("no second factor is enabled");
        var secret = signIn.TotpProtector.Unprotect(Convert.FromBase64String(user.TotpSecretProtected));
        if (Totp.Verify(secret, code, clock.GetUtcNow()) is null)
            throw VigieException.Invalid("the code does not match");
        user.TotpEnabled = false;
        user.TotpSecretProtected = null;
        user.RecoveryCodeHashes = null;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(SecurityEventType.TotpDisabled, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
    }
}
