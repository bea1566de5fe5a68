using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>One element of a wildcard pattern.</summary>
internal enum GlobToken : byte
{
    Char,
    /// <summary><c>?</c>: exactly one character.</summary>
    One,
    /// <summary><c>*</c>: any run of characters.</summary>
    Star,
    /// <summary>One of the characters <c>windash</c> accepts for a flag's dash.</summary>
    Dash,
}

/// <summary>
/// A value with wildcards inside (<c>a*b?c</c>), matched without a regular expression: the classic
/// two-pointer algorithm that backtracks only to the last <c>*</c>.
/// </summary>
internal sealed class GlobMatcher : ValueMatcher
{
    private readonly GlobToken[] _tokens;
    private readonly char[] _chars;
    private readonly bool _cased;
    private readonly string _longestLiteral;

    public GlobMatcher(GlobToken[] tokens, char[] chars, bool cased)
    {
        _tokens = tokens;
        _cased = cased;
        _chars = cased ? chars : Array.ConvertAll(chars, char.ToUpperInvariant);
        _longestLiteral = LongestLiteral(tokens, chars);
    }

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        return Match(text);
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        if (_longestLiteral.Length == 0)
            return false;
        requirements.Add((LiteralPosition.Contains, _longestLiteral));
        return true;
    }

    private bool Match(string text)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < _tokens.Length)
            {
                var token = _tokens[p];
                if (token == GlobToken.Star)
                {
                    starP = p++;
                    starT = t;
                    continue;
                }
                if (token == GlobToken.One
                    || (token == GlobToken.Dash && Windash.IsDash(text[t]))
                    || (token == GlobToken.Char && (_cased ? text[t] : char.ToUpperInvariant(text[t])) == _chars[p]))
                {
                    p++;
                    t++;
                    continue;
                }
            }
            if (starP < 0)
                return false;
            p = starP + 1;
            t = ++starT;
        }
        while (p < _tokens.Length && _tokens[p] == GlobToken.Star)
            p++;
        return p == _tokens.Length;
    }

    private static string LongestLiteral(GlobToken[] tokens, char[] chars)
    {
        int bestStart = 0, bestLength = 0, start = 0;
        for (var i = 0; i <= tokens.Length; i++)
        {
            if (i == tokens.Length || tokens[i] != GlobToken.Char)
            {
                if (i - start > bestLength)
                {
                    bestStart = start;
                    bestLength = i - start;
                }
                start = i + 1;
            }
        }
        return new string(chars, bestStart, bestLength);
    }
}
