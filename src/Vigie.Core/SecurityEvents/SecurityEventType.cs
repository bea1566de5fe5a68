namespace Vigie.Core.SecurityEvents;

/// <summary>
/// What happened, as a stable number: stored, exported and matched by detection rules,
/// so values never change meaning. New kinds take new numbers.
/// </summary>
public enum SecurityEventType
{
    // 1000s: sign-in
    SignInSucceeded = 1000,
    SignInFailed = 1001,
    AccountLockedOut = 1002,
    SignInRefusedDisabled = 1003,
    SecondFactorFailed = 1004,
    TokenIssued = 1005,
    SignedOut = 1006,
    RecoveryCodeUsed = 1007,
    // 1100s: second factor
    TotpEnrolmentStarted = 1100,
    TotpEnabled = 1101,
    TotpDisabled = 1102,
    // 1200s: users
    UserAdded = 1200,
    UserDisabled = 1201,
    UserEnabled = 1202,
    PasswordReset = 1203,
    PasswordChanged = 1204,
    RolesChanged = 1205,
    DirectoryUserProvisioned = 1206,
    // 1300s: establishments
    EstablishmentAdded = 1300,
    EstablishmentChanged = 1301,
    // 1400s: collectors and keys
    CollectorAdded = 1400,
    CollectorKeyRevoked = 1401,
    CollectorKeyRejected = 1402,
    // 1500s: patient records
    BreakGlassGranted = 1500,
}

public static class SecurityEventTypes
{
    /// <summary>The ECS <c>event.action</c> of each kind, in kebab case.</summary>
    public static string Action(this SecurityEventType type) => type switch
    {
        SecurityEventType.SignInSucceeded => "sign-in-succeeded",
        SecurityEventType.SignInFailed => "sign-in-failed",
        SecurityEventType.AccountLockedOut => "account-locked-out",
        SecurityEventType.SignInRefusedDisabled => "sign-in-refused-disabled",
        SecurityEventType.SecondFactorFailed => "second-factor-failed",
        SecurityEventType.TokenIssued => "token-issued",
        SecurityEventType.SignedOut => "signed-out",
        SecurityEventType.RecoveryCodeUsed => "recovery-code-used",
        SecurityEventType.TotpEnrolmentStarted => "totp-enrolment-started",
        SecurityEventType.TotpEnabled => "totp-enabled",
        SecurityEventType.TotpDisabled => "totp-disabled",
        SecurityEventType.UserAdded => "user-added",
        SecurityEventType.UserDisabled => "user-disabled",
        SecurityEventType.UserEnabled => "user-enabled",
        SecurityEventType.PasswordReset => "password-reset",
        SecurityEventType.PasswordChanged => "password-changed",
        SecurityEventType.RolesChanged => "roles-changed",
        SecurityEventType.DirectoryUserProvisioned => "directory-user-provisioned",
        SecurityEventType.EstablishmentAdded => "establishment-added",
        SecurityEventType.EstablishmentChanged => "establishment-changed",
        SecurityEventType.CollectorAdded => "collector-added",
        SecurityEventType.CollectorKeyRevoked => "collector-key-revoked",
        SecurityEventType.CollectorKeyRejected => "collector-key-rejected",
        SecurityEventType.BreakGlassGranted => "break-glass-granted",
        _ => "unknown",
    };

    public static bool IsFailure(this SecurityEventType type) => type is
        SecurityEventType.SignInFailed or SecurityEventType.AccountLockedOut or
        SecurityEventType.SignInRefusedDisabled or SecurityEventType.SecondFactorFailed or
        SecurityEventType.CollectorKeyRejected;
}
