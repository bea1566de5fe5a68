namespace Vigie.Core.Identity;

public sealed class User
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Lower-case sign-in name.</summary>
    public required string Username { get; set; }
    public string? DisplayName { get; set; }
    public UserSource Source { get; set; } = UserSource.Local;
    /// <summary>PBKDF2 hash (ASP.NET Core Identity v3 format); null for directory users.</summary>
    public string? PasswordHash { get; set; }
    public Guid EstablishmentId { get; set; }
    public string? Profession { get; set; }
    /// <summary>For clinicians: the FHIR Practitioner this user is.</summary>
    public string? PractitionerId { get; set; }
    /// <summary>For patients: the FHIR Patient this user is.</summary>
    public string? PatientId { get; set; }
    public bool Disabled { get; set; }
    /// <summary>When a partner's time-boxed access ends.</summary>
    public DateTime? ExpiresAt { get; set; }
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    /// <summary>The TOTP secret, protected with the data-protection keys; null when no second factor is enrolled.</summary>
    public string? TotpSecretProtected { get; set; }
    public bool TotpEnabled { get; set; }
    /// <summary>Hashes of unused recovery codes, separated by ';'.</summary>
    public string? RecoveryCodeHashes { get; set; }
    /// <summary>The last TOTP time step accepted, so a code is never accepted twice.</summary>
    public long LastTotpStep { get; set; }
    /// <summary>Changes whenever credentials or rights change, invalidating sessions and tokens issued before.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public string Language { get; set; } = "fr";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? LastSignInAt { get; set; }

    public List<UserRole> Roles { get; set; } = [];

    public bool HasRole(Role role) => Roles.Exists(r => r.Role == role);
}
