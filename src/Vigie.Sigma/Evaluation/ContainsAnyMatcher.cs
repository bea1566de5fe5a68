using System.Buffers;
using System.Text;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// A list of <c>contains</c> values of one field, searched in one pass with a vectorised multi-string
/// search (<see cref="SearchValues{T}"/>, Teddy or Aho-Corasick inside) instead of one scan per value:
/// rules such as "suspicious command-line flags" list dozens of substrings of the same field.
/// </summary>
/// <remarks>
/// Single characters become a character set, and non-ASCII values are searched only in text that has
/// non-ASCII characters: the Unicode-obfuscation rules list ~1,400 look-alike characters, and one search
/// over them all with Unicode case folding cost ~5 µs per command line. The search structures are built on
/// first use: the corpus has ~2,500 such lists, most of which few events reach.
/// </remarks>
internal sealed class ContainsAnyMatcher(string[] literals, bool cased) : ValueMatcher
{
    private Searchers? _searchers;

    public override bool IgnoresCase => !cased;

    private sealed class Searchers
    {
        public SearchValues<string>? Ascii;
        public SearchValues<string>? Unicode;
        public bool UnicodeMatchesAscii;
        public SearchValues<char>? Chars;
        public SearchValues<char>? AsciiChars;
    }

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        var s = _searchers ??= Build();
        var span = text.AsSpan();
        if (s.Ascii is not null && span.ContainsAny(s.Ascii))
            return true;
        var ascii = Ascii.IsValid(span);
        if (s.Unicode is not null && (!ascii || s.UnicodeMatchesAscii) && span.ContainsAny(s.Unicode))
            return true;
        var chars = ascii ? s.AsciiChars : s.Chars;
        return chars is not null && span.ContainsAny(chars);
    }

    private Searchers Build()
    {
        var comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var multi = literals.Where(l => l.Length > 1).ToList();
        var asciiLiterals = multi.Where(l => Ascii.IsValid(l)).ToArray();
        var unicodeLiterals = multi.Where(l => !Ascii.IsValid(l)).ToArray();
        var chars = new HashSet<char>();
        foreach (var literal in literals.Where(l => l.Length == 1))
        {
            var c = literal[0];
            chars.Add(c);
            if (cased)
                continue;
            // Every character equal to c under ordinal case-insensitive comparison (upper-case folding).
            var upper = char.ToUpperInvariant(c);
            chars.Add(upper);
            chars.Add(char.ToLowerInvariant(c));
            chars.Add(char.ToLowerInvariant(upper));
            if (upper == 'I')
                chars.Add('\u0131');
            else if (upper == 'S')
                chars.Add('\u017F');
        }
        return new Searchers
        {
            Ascii = asciiLiterals.Length == 0 ? null : SearchValues.Create(asciiLiterals, comparison),
            Unicode = unicodeLiterals.Length == 0 ? null : SearchValues.Create(unicodeLiterals, comparison),
            UnicodeMatchesAscii = !cased && unicodeLiterals.Any(l => l.All(c => char.IsAscii(c) || char.IsAscii(char.ToUpperInvariant(c)))),
            Chars = chars.Count == 0 ? null : SearchValues.Create([.. chars]),
            AsciiChars = chars.Count == 0 ? null : SearchValues.Create([.. chars.Where(char.IsAscii)]),
        };
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        foreach (var literal in literals)
            requirements.Add((LiteralPosition.Contains, literal));
        return true;
    }
}
