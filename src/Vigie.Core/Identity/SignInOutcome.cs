namespace Vigie.Core.Identity;

public enum SignInStatus
{
    Succeeded = 1,
    /// <summary>Password right; a TOTP or recovery code is needed.</summary>
    SecondFactorRequired = 2,
    Failed = 3,
    LockedOut = 4,
    Disabled = 5,
}

public sealed record SignInOutcome(SignInStatus Status, User? User, string Message)
{
    public bool Succeeded => Status == SignInStatus.Succeeded;
}
