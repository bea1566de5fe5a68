using System.Text.RegularExpressions;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>Modifier <c>re</c>: a regular expression, case-sensitive unless <c>|i</c>.</summary>
/// <remarks>
/// The expression is parsed (validated) when the rule loads, and compiled to IL on its first use:
/// interpreted, the corpus' octal-IP rule cost up to 80 µs per evaluation on long command lines
/// (measured on the regression samples); compiling every corpus expression up front would make loading
/// pay for expressions most events never reach.
/// </remarks>
internal sealed class RegexMatcher : ValueMatcher
{
    private readonly string _pattern;
    private readonly RegexOptions _options;
    private readonly TimeSpan _timeout;
    private Regex? _compiled;

    public RegexMatcher(string pattern, RegexOptions options, TimeSpan timeout)
    {
        // Throws ArgumentException for an invalid expression, which the loader reports with the rule's line.
        _ = new Regex(pattern, options, timeout);
        _pattern = pattern;
        _options = options;
        _timeout = timeout;
    }

    /// <summary>
    /// A literal every match contains: the longest run of plain characters outside groups, classes and
    /// optional quantifiers, when the expression has no top-level alternation. Gates regex-only rules
    /// (19 of the rules applied to every Sysmon process event) behind the literal pre-filter.
    /// </summary>
    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        var literal = RequiredLiteral(_pattern);
        if (literal is null)
            return false;
        requirements.Add((LiteralPosition.Contains, literal));
        return true;
    }

    internal static string? RequiredLiteral(string pattern)
    {
        var best = "";
        var run = new System.Text.StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (depth > 0)
            {
                if (c == '\\')
                    i++;
                else if (c == '(')
                    depth++;
                else if (c == ')')
                    depth--;
                else if (c == '[')
                    i = SkipClass(pattern, i);
                continue;
            }
            char? literal = null;
            switch (c)
            {
                case '\\':
                    if (i + 1 >= pattern.Length)
                        return null;
                    var next = pattern[++i];
                    if (!char.IsLetterOrDigit(next))
                        literal = next;
                    break;
                case '|':
                    return null; // top-level alternation: no single required literal
                case '(':
                    depth++;
                    break;
                case ')':
                    return null;
                case '[':
                    i = SkipClass(pattern, i);
                    break;
                case '.' or '^' or '$':
                    break;
                case '?' or '*' or '+':
                    // A quantified character may repeat or vanish: the run ends before it (or after it, for '+').
                    if (c != '+' && run.Length > 0)
                        run.Length--;
                    break;
                case '{':
                    if (run.Length > 0 && !(i + 1 < pattern.Length && pattern[i + 1] is >= '1' and <= '9'))
                        run.Length--; // {0,n}: optional
                    var close = pattern.IndexOf('}', i);
                    if (close < 0)
                        return null;
                    i = close;
                    break;
                default:
                    literal = c;
                    break;
            }
            if (literal is { } l)
            {
                run.Append(l);
                continue;
            }
            if (run.Length > best.Length)
                best = run.ToString();
            run.Clear();
        }
        if (run.Length > best.Length)
            best = run.ToString();
        return depth == 0 && best.Length >= 3 ? best : null;
    }

    private static int SkipClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
            i++;
        if (i < pattern.Length && pattern[i] == ']')
            i++;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
                i++;
            else if (pattern[i] == ']')
                return i;
        }
        return pattern.Length;
    }

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        var regex = _compiled ??= new Regex(_pattern, _options | RegexOptions.Compiled, _timeout);
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological value must not stall the pipeline; a timed-out expression is no match.
            return false;
        }
    }
}
