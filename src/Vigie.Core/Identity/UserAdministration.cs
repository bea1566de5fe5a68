using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Identity;

/// <summary>Adds users, changes their roles, disables them and resets their passwords, within the actor's scope.</summary>
public sealed class UserAdministration(VigieDbContext db, SecurityEventWriter events, PasswordHashing hashing, EstablishmentRegistry establishments)
{
    public sealed record NewUser(
        string Username,
        string? Password,
        IReadOnlyList<string> Roles,
        string? Establishment = null,
        string? Profession = null,
        string? DisplayName = null,
        string? PractitionerId = null,
        string? PatientId = null,
        DateTime? ExpiresAt = null,
        UserSource Source = UserSource.Local);

    public async Task<User> AddAsync(NewUser request, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var username = Username.Normalise(request.Username ?? "");
        if (Username.Error(username) is { } nameError)
            throw VigieException.Invalid(nameError);
        var roles = ParseRoles(request.Roles);
        if (request.Source == UserSource.Local && PasswordPolicy.Error(request.Password, username) is { } passwordError)
            throw VigieException.Invalid(passwordError);

        var establishment = await ResolveEstablishmentAsync(request.Establishment, ct);
        if (!scope.Contains(establishment.Id))
            throw VigieException.Forbidden($"establishment '{establishment.Code}' is outside your scope");
        if (roles.Contains(Role.Patient) && roles.Count > 1)
            throw VigieException.Invalid("a patient account has only the patient role");
        await EnsureLinksWithinAsync(request, scope, ct);
        if (await db.Users.AnyAsync(u => u.Username == username, ct))
            throw VigieException.Conflict($"user '{username}' already exists");

        var user = new User
        {
            Username = username,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim(),
            Source = request.Source,
            EstablishmentId = establishment.Id,
            Profession = string.IsNullOrWhiteSpace(request.Profession) ? null : request.Profession.Trim(),
            PractitionerId = request.PractitionerId,
            PatientId = request.PatientId,
            ExpiresAt = request.ExpiresAt,
        };
        if (request.Source == UserSource.Local)
            user.PasswordHash = hashing.Hash(user, request.Password!);
        user.Roles = roles.Select(r => new UserRole { UserId = user.Id, Role = r }).ToList();
        db.Users.Add(user);
        events.Add(SecurityEventType.UserAdded, actor, username, establishment.Id,
            new { roles = roles.Select(r => r.ToName()).ToArray(), establishment = establishment.Code });
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<IReadOnlyList<User>> ListAsync(AccessScope scope, CancellationToken ct = default)
    {
        var users = await db.Users.AsNoTracking().Include(u => u.Roles).OrderBy(u => u.Username).ToListAsync(ct);
        return users.Where(u => scope.Contains(u.EstablishmentId)).ToList();
    }

    public async Task<User> FindAsync(string username, AccessScope scope, CancellationToken ct = default)
    {
        var name = Username.Normalise(username ?? "");
        var user = await db.Users.Include(u => u.Roles).SingleOrDefaultAsync(u => u.Username == name, ct);
        // A user outside the scope is reported as absent: scoping never confirms existence.
        if (user is null || !scope.Contains(user.EstablishmentId))
            throw VigieException.NotFound($"user '{name}' does not exist");
        return user;
    }

    public async Task<User> SetDisabledAsync(string username, bool disabled, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var user = await FindAsync(username, scope, ct);
        if (user.Disabled == disabled)
            return user;
        user.Disabled = disabled;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(disabled ? SecurityEventType.UserDisabled : SecurityEventType.UserEnabled, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<User> ResetPasswordAsync(string username, string newPassword, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var user = await FindAsync(username, scope, ct);
        if (user.Source != UserSource.Local)
            throw VigieException.Invalid($"user '{user.Username}' signs in through the directory; reset the password there");
        if (PasswordPolicy.Error(newPassword, user.Username) is { } error)
            throw VigieException.Invalid(error);
        user.PasswordHash = hashing.Hash(user, newPassword);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(SecurityEventType.PasswordReset, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<User> ChangeOwnPasswordAsync(Guid userId, string current, string newPassword, Actor actor, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw VigieException.NotFound("user does not exist");
        if (user.Source != UserSource.Local || user.PasswordHash is null)
            throw VigieException.Invalid("this account signs in through the directory; change the password there");
        if (hashing.Verify(user, user.PasswordHash, current ?? "") == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed)
            throw VigieException.Invalid("the current password is wrong");
        if (PasswordPolicy.Error(newPassword, user.Username) is { } error)
            throw VigieException.Invalid(error);
        user.PasswordHash = hashing.Hash(user, newPassword);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(SecurityEventType.PasswordChanged, actor, user.Username, user.EstablishmentId);
        await db.SaveChangesAsync(ct);
        return user;
    }

    public async Task<User> SetRolesAsync(string username, IReadOnlyList<string> roleNames, Actor actor, AccessScope scope, CancellationToken ct = default)
    {
        var user = await FindAsync(username, scope, ct);
        var roles = ParseRoles(roleNames);
        var before = user.Roles.Select(r => r.Role.ToName()).Order().ToArray();
        db.UserRoles.RemoveRange(user.Roles);
        user.Roles = roles.Select(r => new UserRole { UserId = user.Id, Role = r }).ToList();
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        events.Add(SecurityEventType.RolesChanged, actor, user.Username, user.EstablishmentId,
            new { before, after = roles.Select(r => r.ToName()).Order().ToArray() });
        await db.SaveChangesAsync(ct);
        return user;
    }

    private async Task<Establishment> ResolveEstablishmentAsync(string? code, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(code))
        {
            return await establishments.FindAsync(code, ct)
                ?? throw VigieException.Invalid($"establishment '{EstablishmentCode.Normalise(code)}' does not exist");
        }
        return await db.Establishments.AsNoTracking().SingleOrDefaultAsync(e => e.Type == EstablishmentType.National, ct)
            ?? throw VigieException.Invalid("no national centre exists yet: create it first (vigie establishments add --type national …) or name an --establishment");
    }

    /// <summary>
    /// A patient account reads the whole record it is linked to, and a clinician linked to a practitioner is in that
    /// practitioner's care relationships: below the national centre, an administrator links accounts only to records
    /// and practitioners registered within their scope. Absent and foreign ones are refused alike.
    /// </summary>
    private async Task EnsureLinksWithinAsync(NewUser request, AccessScope scope, CancellationToken ct)
    {
        if (scope.IsEverything)
            return;
        if (!string.IsNullOrWhiteSpace(request.PatientId))
        {
            var patient = request.PatientId;
            var registeredAt = await db.PatientIdentities.AsNoTracking().Where(p => p.PatientId == patient).Select(p => new { p.EstablishmentId }).SingleOrDefaultAsync(ct);
            if (registeredAt is null || !scope.Contains(registeredAt.EstablishmentId))
                throw VigieException.Forbidden($"patient record '{patient}' is not one registered within your scope; the national centre links accounts to other records");
        }
        if (!string.IsNullOrWhiteSpace(request.PractitionerId))
        {
            var practitioner = request.PractitionerId;
            var writtenAt = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Practitioner" && r.Id == practitioner && !r.Deleted)
                .Select(r => new { r.EstablishmentId }).SingleOrDefaultAsync(ct);
            if (writtenAt is null || !scope.Contains(writtenAt.EstablishmentId))
                throw VigieException.Forbidden($"practitioner '{practitioner}' is not one registered within your scope; the national centre links accounts to other practitioners");
        }
    }

    private static List<Role> ParseRoles(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
            throw VigieException.Invalid($"at least one role is required; roles: {string.Join(", ", Roles.All)}");
        var roles = new List<Role>();
        foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Roles.TryParse(name, out var role))
                throw VigieException.Invalid($"role '{name}' is unknown; use one of: {string.Join(", ", Roles.All)}");
            if (!roles.Contains(role))
                roles.Add(role);
        }
        return roles;
    }
}
