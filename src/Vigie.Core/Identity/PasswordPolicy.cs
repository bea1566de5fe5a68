namespace Vigie.Core.Identity;

/// <summary>Rules a new local password must follow (NIST SP 800-63B: length over composition, no common passwords).</summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 256;

    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "123456789012", "password1234", "passwordpassword", "azertyuiop12", "qwertyuiop12",
        "motdepasse123", "administrator", "changeme1234", "welcome12345", "letmein12345",
        "000000000000", "111111111111", "123123123123", "abcdefghijkl", "iloveyou1234",
    };

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public static string? Error(string? password, string username)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinimumLength)
            return $"password must be at least {MinimumLength} characters";
        if (password.Length > MaximumLength)
            return $"password must be at most {MaximumLength} characters";
        if (string.Equals(password, username, StringComparison.OrdinalIgnoreCase) ||
            password.Contains(username, StringComparison.OrdinalIgnoreCase) && username.Length >= 4)
            return "password must not contain the username";
        if (Common.Contains(password) || password.Distinct().Count() <= 2)
            return "password is too common or too repetitive";
        return null;
    }
}
