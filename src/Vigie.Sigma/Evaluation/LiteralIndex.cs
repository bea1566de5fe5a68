using System.Buffers;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// The literals the rules of one logsource require, found in an event's text in one pass: a vectorised
/// multi-string search (<see cref="SearchValues{T}"/>, case-insensitive) locates each occurrence, then a
/// table keyed by the occurrence's first characters tells which literals start there.
/// </summary>
internal sealed class LiteralIndex
{
    private const int PrefixLength = 4;
    private const int Gram = 4;
    private const int GramThreshold = 64;
    private Dictionary<ulong, (int Id, int Offset)[]>? _grams;
    private readonly ulong[] _gramFilter = new ulong[1024];
    private readonly SearchValues<string> _search;
    // Literals with non-ASCII characters ("Microsoft®") are searched apart: one of them in the set sends the
    // whole set down the slower Unicode case-folding path (measured: 4 % of the evaluation).
    private readonly SearchValues<string>? _unicode;
    private readonly string[] _literals;
    private readonly bool _unicodeMatchesAscii;
    private readonly SearchValues<char>? _singleChars;
    private readonly SearchValues<char>? _asciiSingleChars;
    private readonly Dictionary<char, int[]>? _singleIds;
    // [k] maps the upper-cased first k characters (k = min(length, 4)) to the literals that start with them.
    private readonly Dictionary<ulong, int[]>[] _byPrefix;
    private readonly int[] _searchedIds;
    // Per literal: where the string searched for it starts (0 but for anchored ASCII literals).
    private readonly int[] _anchors;

    public LiteralIndex(string[] literals)
    {
        _literals = literals;
        // ASCII literals of four characters or more are found through one of their 4-grams (the rarest among
        // the set's literals), checked at every position of the text with a rolling key and a bit filter:
        // an Aho-Corasick search over the ~2,100 ASCII command-line literals of the process-creation rules
        // was the largest single cost of evaluating a Sysmon process event (13 % of its profile).
        // Small sets stay with SearchValues, whose vectorised Teddy search beats a per-character loop (a
        // first version using 4-grams for every set doubled the cost of Sysmon process-access events, whose
        // call traces are long and whose literals few).
        var longAscii = literals.Count(l => l.Length >= Gram && System.Text.Ascii.IsValid(l));
        var useGrams = longAscii > GramThreshold;
        var ascii = literals.Where(l => l.Length > 1 && (!useGrams || l.Length < Gram) && System.Text.Ascii.IsValid(l)).ToArray();
        if (useGrams)
            BuildGrams(literals);
        // Non-ASCII literals can only occur in text with non-ASCII characters, except those whose characters
        // all fold to ASCII (dotless i, long s): the rest are skipped for pure-ASCII text, most command lines.
        var unicode = literals.Where(l => l.Length > 1 && !System.Text.Ascii.IsValid(l)).ToArray();
        _unicodeMatchesAscii = unicode.Any(FoldsToAscii);
        // Each ASCII literal is searched from an anchor: its rarest three characters onwards ("event::clear" from
        // "::c"). The vectorised search keys on a string's first characters, and a literal that starts like
        // common words ("event::" and every "EventID" of a JSON event) made it stop and verify at each of
        // them: that verification was 4.4 % of evaluating the JSON event mix.
        _anchors = new int[literals.Length];
        var asciiIds = new HashSet<string>(ascii, StringComparer.Ordinal);
        var anchored = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < literals.Length; i++)
        {
            if (!asciiIds.Contains(literals[i]))
                continue;
            _anchors[i] = Anchor(literals[i]);
            anchored.Add(literals[i][_anchors[i]..]);
        }
        _search = SearchValues.Create([.. anchored], StringComparison.OrdinalIgnoreCase);
        _unicode = unicode.Length == 0 ? null : SearchValues.Create(unicode, StringComparison.OrdinalIgnoreCase);
        // Single characters (the obfuscation rules list ~1,400 Unicode look-alikes) as a character set: a
        // vectorised IndexOfAny over chars instead of a Unicode case-folding Aho-Corasick over strings, which
        // cost 7.7 µs per 116-character command line with the whole process-creation set.
        var singles = new Dictionary<char, List<int>>();
        for (var i = 0; i < literals.Length; i++)
        {
            if (literals[i].Length != 1)
                continue;
            var c = literals[i][0];
            // Every character equal to c under ordinal case-insensitive comparison (upper-case folding):
            // dotless i and long s fold to ASCII I and S.
            var upper = char.ToUpperInvariant(c);
            char[] variants = upper switch
            {
                'I' => [c, upper, char.ToLowerInvariant(c), char.ToLowerInvariant(upper), '\u0131'],
                'S' => [c, upper, char.ToLowerInvariant(c), char.ToLowerInvariant(upper), '\u017F'],
                _ => [c, upper, char.ToLowerInvariant(c), char.ToLowerInvariant(upper)],
            };
            foreach (var variant in variants.Distinct())
            {
                if (!singles.TryGetValue(variant, out var ids))
                    singles[variant] = ids = [];
                ids.Add(i);
            }
        }
        if (singles.Count > 0)
        {
            _singleChars = SearchValues.Create([.. singles.Keys]);
            _asciiSingleChars = SearchValues.Create([.. singles.Keys.Where(char.IsAscii)]);
            _singleIds = singles.ToDictionary(p => p.Key, p => p.Value.ToArray());
        }
        _byPrefix = new Dictionary<ulong, int[]>[PrefixLength + 1];
        var groups = new Dictionary<ulong, List<int>>[PrefixLength + 1];
        for (var k = 1; k <= PrefixLength; k++)
            groups[k] = [];
        // Only the literals the string searches cover: verifying a hit against every literal sharing its first
        // characters (the 4-gram literals among them) tripled the cost of a command line.
        var searched = new HashSet<string>(ascii.Concat(unicode), StringComparer.Ordinal);
        var searchedIds = new List<int>();
        for (var i = 0; i < literals.Length; i++)
        {
            if (!searched.Contains(literals[i]))
                continue;
            searchedIds.Add(i);
            var k = Math.Min(literals[i].Length - _anchors[i], PrefixLength);
            var key = Pack(literals[i].AsSpan(_anchors[i], k));
            if (!groups[k].TryGetValue(key, out var list))
                groups[k][key] = list = [];
            list.Add(i);
        }
        for (var k = 1; k <= PrefixLength; k++)
            _byPrefix[k] = groups[k].ToDictionary(p => p.Key, p => p.Value.ToArray());
        _searchedIds = [.. searchedIds];
    }

    public int Count => _literals.Length;

    private void BuildGrams(string[] literals)
    {
        var counts = new Dictionary<ulong, int>();
        var candidates = new List<int>();
        for (var i = 0; i < literals.Length; i++)
        {
            var l = literals[i];
            if (l.Length < Gram || !System.Text.Ascii.IsValid(l))
                continue;
            candidates.Add(i);
            for (var o = 0; o + Gram <= l.Length; o++)
                counts[GramKey(l.AsSpan(o, Gram))] = counts.GetValueOrDefault(GramKey(l.AsSpan(o, Gram))) + 1;
        }
        if (candidates.Count == 0)
            return;
        var grams = new Dictionary<ulong, List<(int, int)>>();
        foreach (var i in candidates)
        {
            var l = literals[i];
            var best = 0;
            for (var o = 1; o + Gram <= l.Length; o++)
            {
                if (counts[GramKey(l.AsSpan(o, Gram))] < counts[GramKey(l.AsSpan(best, Gram))])
                    best = o;
            }
            var key = GramKey(l.AsSpan(best, Gram));
            if (!grams.TryGetValue(key, out var list))
                grams[key] = list = [];
            list.Add((i, best));
            var bit = FilterBit(key);
            _gramFilter[bit >> 6] |= 1UL << bit;
        }
        _grams = grams.ToDictionary(g => g.Key, g => g.Value.ToArray());
    }

    private static ulong GramKey(ReadOnlySpan<char> gram)
    {
        ulong key = 0;
        foreach (var c in gram)
            key = (key << 16) | Fold(c);
        return key;
    }

    private static int FilterBit(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 48);

    // Upper-case folding, as ordinal case-insensitive comparison does (dotless i folds to I).
    private static ulong Fold(char c) => c < 128 ? (c is >= 'a' and <= 'z' ? (ulong)(c - 32) : c) : char.ToUpperInvariant(c);

    private void ScanGrams<TSink>(ReadOnlySpan<char> text, ref TSink found) where TSink : struct, ILiteralSink
    {
        ulong key = 0;
        for (var i = 0; i < text.Length; i++)
        {
            key = (key << 16) | Fold(text[i]);
            if (i < Gram - 1)
                continue;
            var bit = FilterBit(key);
            if ((_gramFilter[bit >> 6] & (1UL << bit)) == 0 || !_grams!.TryGetValue(key, out var candidates))
                continue;
            var gramStart = i - (Gram - 1);
            foreach (var (id, offset) in candidates)
            {
                var literal = _literals[id];
                var start = gramStart - offset;
                if (start >= 0 && start + literal.Length <= text.Length
                    && text.Slice(start, literal.Length).Equals(literal, StringComparison.OrdinalIgnoreCase))
                    found.Found(id);
            }
        }
    }

    /// <summary>Calls <paramref name="found"/> with the id of every literal occurring in <paramref name="text"/> (repeats possible).</summary>
    public void Scan<TSink>(ReadOnlySpan<char> text, ref TSink found) where TSink : struct, ILiteralSink
    {
        ScanWith(text, _search, ref found);
        if (_grams is not null)
            ScanGrams(text, ref found);
        var ascii = System.Text.Ascii.IsValid(text);
        if (_unicode is not null && (!ascii || _unicodeMatchesAscii))
            ScanWith(text, _unicode, ref found);
        if (_singleChars is not null)
        {
            // Pure-ASCII text can only hold the ASCII characters of the set (and dotless i and long s fold
            // onto I and S, which the ASCII variants already cover).
            var chars = ascii ? _asciiSingleChars! : _singleChars;
            var offset = 0;
            while (true)
            {
                var hit = text[offset..].IndexOfAny(chars);
                if (hit < 0)
                    break;
                foreach (var id in _singleIds![text[offset + hit]])
                    found.Found(id);
                offset += hit + 1;
            }
        }
    }

    private void ScanWith<TSink>(ReadOnlySpan<char> text, SearchValues<string> search, ref TSink found) where TSink : struct, ILiteralSink
    {
        var offset = 0;
        while (true)
        {
            var hit = text[offset..].IndexOfAny(search);
            if (hit < 0)
                return;
            var at = offset + hit;
            var rest = text[at..];
            var verified = false;
            for (var k = 1; k <= PrefixLength && k <= rest.Length; k++)
            {
                if (!_byPrefix[k].TryGetValue(Pack(rest[..k]), out var candidates))
                    continue;
                foreach (var id in candidates)
                {
                    if (OccursAt(text, at, id))
                    {
                        found.Found(id);
                        verified = true;
                    }
                }
            }
            if (!verified && !System.Text.Ascii.IsValid(rest[..Math.Min(PrefixLength, rest.Length)]))
            {
                // Case folding outside ASCII can disagree with the prefix table; check every literal here. Where the
                // hit starts with ASCII the table is exact, and a hit no candidate verifies (the text before an
                // anchor differs) is simply not a match.
                foreach (var id in _searchedIds)
                {
                    if (OccursAt(text, at, id))
                        found.Found(id);
                }
            }
            offset = at + 1;
        }
    }

    /// <summary>Whether literal <paramref name="id"/> occurs with its anchor at <paramref name="at"/>.</summary>
    private bool OccursAt(ReadOnlySpan<char> text, int at, int id)
    {
        var start = at - _anchors[id];
        return start >= 0 && text[start..].StartsWith(_literals[id], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Where to start searching for an ASCII literal: the offset of its rarest three characters, by a coarse
    /// rarity of characters in event text (letters and path punctuation common, other punctuation rare);
    /// the start on ties, and for literals shorter than four characters.
    /// </summary>
    private static int Anchor(string literal)
    {
        if (literal.Length < 4)
            return 0;
        var best = 0;
        var bestScore = -1;
        for (var o = 0; o + 3 <= literal.Length; o++)
        {
            var score = Rarity(literal[o]) + Rarity(literal[o + 1]) + Rarity(literal[o + 2]);
            if (score > bestScore)
            {
                best = o;
                bestScore = score;
            }
        }
        return best;

        static int Rarity(char c) => c switch
        {
            >= 'a' and <= 'z' or >= 'A' and <= 'Z' => "jqxzkvwyJQXZKVWY".Contains(c, StringComparison.Ordinal) ? 1 : 0,
            >= '0' and <= '9' => 2,
            '.' or '-' or '_' or '/' or '\\' or ' ' or '"' or ',' => 1,
            _ => 4,
        };
    }

    /// <summary>Whether every non-ASCII character of the literal upper-cases to an ASCII one.</summary>
    private static bool FoldsToAscii(string literal)
    {
        foreach (var c in literal)
        {
            if (!char.IsAscii(c) && !char.IsAscii(char.ToUpperInvariant(c)))
                return false;
        }
        return true;
    }

    private static ulong Pack(ReadOnlySpan<char> chars)
    {
        ulong key = 0;
        for (var i = 0; i < chars.Length; i++)
            key |= (ulong)char.ToUpperInvariant(chars[i]) << (16 * i);
        return key;
    }
}

/// <summary>Receives literal ids from <see cref="LiteralIndex.Scan"/> (a struct, so the call is devirtualised).</summary>
internal interface ILiteralSink
{
    /// <summary>A literal of a <see cref="LiteralIndex"/> occurred.</summary>
    void Found(int literal);

    /// <summary>Requirements (target ids) were satisfied.</summary>
    void Found(int[] targets);
}
