namespace Vigie.Sigma.Evaluation;

/// <summary>The characters Windows programs accept where a flag's dash is written (modifier <c>windash</c>).</summary>
internal static class Windash
{
    /// <summary>Hyphen-minus, slash, en dash, em dash, horizontal bar.</summary>
    public static readonly char[] Characters = ['-', '/', '\u2013', '\u2014', '\u2015'];

    public static bool IsDash(char c) => c is '-' or '/' or '\u2013' or '\u2014' or '\u2015';
}
