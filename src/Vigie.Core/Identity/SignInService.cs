using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Identity;

/// <summary>
/// Checks passwords (local or directory), the second factor and the lockout, and records
/// every outcome as a security event. Messages never say whether a username exists.
/// </summary>
public sealed class SignInService(
    VigieDbContext db,
    SecurityEventWriter events,
    PasswordHashing hashing,
    IDirectoryAuthenticator directory,
    IDataProtectionProvider protection,
    TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    private const string InvalidCredentials = "invalid username or password";

    public IDataProtector TotpProtector => protection.CreateProtector("Vigie.Identity.Totp.v1");

    public async Task<SignInOutcome> PasswordSignInAsync(string? username, string? password, string? secondFactor, string? address, CancellationToken ct = default)
    {
        var name = Username.Normalise(username ?? "");
        password ??= "";
        var now = clock.GetUtcNow().UtcDateTime;
        var user = name.Length == 0 ? null : await db.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.Username == name, ct);

        if (user is { LockedUntil: { } until } && until > now)
        {
            events.Add(SecurityEventType.SignInFailed, new Actor(name, user.Id, user.EstablishmentId, address), name, details: new { reason = "locked" });
            await db.SaveChangesAsync(ct);
            return new(SignInStatus.LockedOut, null, $"account locked after repeated failures; try again after {until:yyyy-MM-dd HH:mm} UTC");
        }

        bool passwordOk;
        if (user is null || user.Source == UserSource.Directory)
        {
            if (directory.IsConfigured && name.Length > 0 && password.Length > 0)
            {
                var account = await directory.AuthenticateAsync(name, password, ct);
                if (account is not null)
                    user = await ProvisionDirectoryUserAsync(user, account, address, ct);
                passwordOk = account is not null && user is not null;
            }
            else
            {
                hashing.Verify(new User { Username = "-" }, hashing.DummyHash, password);
                passwordOk = false;
            }
        }
        else
        {
            var result = user.PasswordHash is null ? PasswordVerificationResult.Failed : hashing.Verify(user, user.PasswordHash, password);
            passwordOk = result != PasswordVerificationResult.Failed;
            if (result == PasswordVerificationResult.SuccessRehashNeeded)
                user.PasswordHash = hashing.Hash(user, password);
        }

        if (!passwordOk || user is null)
        {
            if (user is not null)
                RecordFailure(user, address, "password", now);
            else
                events.Add(SecurityEventType.SignInFailed, new Actor(name.Length == 0 ? "-" : name, Address: address), name, details: new { reason = "password" });
            await db.SaveChangesAsync(ct);
            return new(SignInStatus.Failed, null, InvalidCredentials);
        }

        if (user.Disabled || user.ExpiresAt is { } expires && expires <= now)
        {
            events.Add(SecurityEventType.SignInRefusedDisabled, ActorOf(user, address), user.Username, details: new { reason = user.Disabled ? "disabled" : "expired" });
            await db.SaveChangesAsync(ct);
            return new(SignInStatus.Disabled, null, user.Disabled ? "account disabled" : "account expired");
        }

        if (user.TotpEnabled)
        {
            if (string.IsNullOrWhiteSpace(secondFactor))
                return new(SignInStatus.SecondFactorRequired, user, "a TOTP code is required");
            if (!CheckSecondFactor(user, secondFactor, address, now))
            {
                RecordFailure(user, address, "second-factor", now, SecurityEventType.SecondFactorFailed);
                await db.SaveChangesAsync(ct);
                return new(SignInStatus.Failed, null, "invalid TOTP or recovery code");
            }
        }

        return await SucceedAsync(user, address, now, ct);
    }

    /// <summary>The second step of a console sign-in, after the password step answered <see cref="SignInStatus.SecondFactorRequired"/>.</summary>
    public async Task<SignInOutcome> SecondFactorSignInAsync(Guid userId, string securityStamp, string? code, string? address, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var user = await db.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.SecurityStamp != securityStamp || user.Disabled || !user.TotpEnabled)
            return new(SignInStatus.Failed, null, "sign in again");
        if (user.LockedUntil is { } until && until > now)
            return new(SignInStatus.LockedOut, null, "account locked after repeated failures");
        if (!CheckSecondFactor(user, code, address, now))
        {
            RecordFailure(user, address, "second-factor", now, SecurityEventType.SecondFactorFailed);
            await db.SaveChangesAsync(ct);
            return new(SignInStatus.Failed, null, "invalid TOTP or recovery code");
        }
        return await SucceedAsync(user, address, now, ct);
    }

    private async Task<SignInOutcome> SucceedAsync(User user, string? address, DateTime now, CancellationToken ct)
    {
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.LastSignInAt = now;
        events.Add(SecurityEventType.SignInSucceeded, ActorOf(user, address), user.Username,
            details: new { method = user.Source == UserSource.Directory ? "directory" : "password", mfa = user.TotpEnabled });
        await db.SaveChangesAsync(ct);
        return new(SignInStatus.Succeeded, user, "signed in");
    }

    private bool CheckSecondFactor(User user, string? code, string? address, DateTime now)
    {
        if (string.IsNullOrWhiteSpace(code) || user.TotpSecretProtected is null)
            return false;
        var secret = TotpProtector.Unprotect(Convert.FromBase64String(user.TotpSecretProtected));
        if (Totp.Verify(secret, code, new DateTimeOffset(now, TimeSpan.Zero)) is { } step && step > user.LastTotpStep)
        {
            user.LastTotpStep = step;
            return true;
        }
        if (code.Trim().Length > 8 && RecoveryCodes.Consume(user.RecoveryCodeHashes, code) is { } remaining)
        {
            user.RecoveryCodeHashes = remaining;
            events.Add(SecurityEventType.RecoveryCodeUsed, ActorOf(user, address), user.Username,
                details: new { remaining = remaining.Length == 0 ? 0 : remaining.Split(';').Length });
            return true;
        }
        return false;
    }

    private void RecordFailure(User user, string? address, string reason, DateTime now, SecurityEventType type = SecurityEventType.SignInFailed)
    {
        user.FailedSignIns++;
        events.Add(type, ActorOf(user, address), user.Username, details: new { reason, failures = user.FailedSignIns });
        if (user.FailedSignIns >= MaxFailures)
        {
            user.LockedUntil = now + LockoutDuration;
            user.FailedSignIns = 0;
            events.Add(SecurityEventType.AccountLockedOut, ActorOf(user, address), user.Username,
                details: new { until = user.LockedUntil, minutes = LockoutDuration.TotalMinutes });
        }
    }

    private async Task<User?> ProvisionDirectoryUserAsync(User? user, DirectoryAccount account, string? address, CancellationToken ct)
    {
        Guid? establishmentId = null;
        if (account.EstablishmentCode is { } code)
        {
            var normalised = EstablishmentCode.Normalise(code);
            establishmentId = (await db.Establishments.AsNoTracking().SingleOrDefaultAsync(e => e.Code == normalised, ct))?.Id;
        }
        establishmentId ??= user?.EstablishmentId
            ?? (await db.Establishments.AsNoTracking().SingleOrDefaultAsync(e => e.Type == EstablishmentType.National, ct))?.Id;
        if (establishmentId is null)
            return null;

        if (user is null)
        {
            if (account.Roles.Count == 0)
                return null; // The directory knows the person, but no group of theirs maps to a Vigie role.
            user = new User
            {
                Username = Username.Normalise(account.Username),
                Source = UserSource.Directory,
                EstablishmentId = establishmentId.Value,
            };
            db.Users.Add(user);
            events.Add(SecurityEventType.DirectoryUserProvisioned, new Actor("directory", Address: address), user.Username, establishmentId,
                new { roles = account.Roles.Select(r => r.ToName()).ToArray() });
        }
        user.DisplayName = account.DisplayName ?? user.DisplayName;
        user.Profession = account.Profession ?? user.Profession;
        user.EstablishmentId = establishmentId.Value;
        if (account.Roles.Count > 0)
        {
            var current = user.Roles.Select(r => r.Role).Order().ToArray();
            var wanted = account.Roles.Distinct().Order().ToArray();
            if (!current.SequenceEqual(wanted))
            {
                db.UserRoles.RemoveRange(user.Roles);
                user.Roles = wanted.Select(r => new UserRole { UserId = user.Id, Role = r }).ToList();
                if (current.Length > 0)
                {
                    events.Add(SecurityEventType.RolesChanged, new Actor("directory", Address: address), user.Username, establishmentId,
                        new { before = current.Select(r => r.ToName()).ToArray(), after = wanted.Select(r => r.ToName()).ToArray() });
                }
            }
        }
        return user;
    }

    private static Actor ActorOf(User user, string? address) => new(user.Username, user.Id, user.EstablishmentId, address);
}
