using System.Text.RegularExpressions;

namespace Vigie.Core.Identity;

public static partial class Username
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{1,63}$")]
    private static partial Regex Pattern();

    public static string Normalise(string username) => username.Trim().ToLowerInvariant();

    public static string? Error(string username) =>
        Pattern().IsMatch(username) ? null : $"username '{username}' is invalid: use 2 to 64 letters, digits, '.', '_', '@' or '-'";
}
