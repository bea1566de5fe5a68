using System.Text.RegularExpressions;

namespace Vigie.Core.Establishments;

public static partial class EstablishmentCode
{
    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{1,31}$")]
    private static partial Regex Pattern();

    /// <summary>Codes are upper-case letters, digits and dashes, 2 to 32 characters: they appear in URLs and file names.</summary>
    public static string? Error(string? code) =>
        code is not null && Pattern().IsMatch(code)
            ? null
            : $"establishment code '{code}' is invalid: use 2 to 32 upper-case letters, digits or dashes";

    public static string Normalise(string code) => code.Trim().ToUpperInvariant();
}
