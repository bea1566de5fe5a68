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
    private readonly SearchValues<string> _search;
    // Literals with non-ASCII characters ("Microsoft®") are searched apart: one of them in the set sends the
    // whole set down the slower Unicode case-folding path (measured: 4 % of the evaluation).
    private readonly SearchValues<string>? _unicode;
    private readonly string[] _literals;
    // [k] maps the upper-cased first k characters (k = min(length, 4)) to the literals that start with them.
    private readonly Dictionary<ulong, int[]>[] _byPrefix;

    public LiteralIndex(string[] literals)
    {
        _literals = literals;
        var ascii = literals.Where(l => System.Text.Ascii.IsValid(l)).ToArray();
        var unicode = literals.Where(l => !System.Text.Ascii.IsValid(l)).ToArray();
        _search = SearchValues.Create(ascii, StringComparison.OrdinalIgnoreCase);
        _unicode = unicode.Length == 0 ? null : SearchValues.Create(unicode, StringComparison.OrdinalIgnoreCase);
        _byPrefix = new Dictionary<ulong, int[]>[PrefixLength + 1];
        var groups = new Dictionary<ulong, List<int>>[PrefixLength + 1];
        for (var k = 1; k <= PrefixLength; k++)
            groups[k] = [];
        for (var i = 0; i < literals.Length; i++)
        {
            var k = Math.Min(literals[i].Length, PrefixLength);
            var key = Pack(literals[i].AsSpan(0, k));
            if (!groups[k].TryGetValue(key, out var list))
                groups[k][key] = list = [];
            list.Add(i);
        }
        for (var k = 1; k <= PrefixLength; k++)
            _byPrefix[k] = groups[k].ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    public int Count => _literals.Length;

    /// <summary>Calls <paramref name="found"/> with the id of every literal occurring in <paramref name="text"/> (repeats possible).</summary>
    public void Scan<TSink>(ReadOnlySpan<char> text, ref TSink found) where TSink : struct, ILiteralSink
    {
        ScanWith(text, _search, ref found);
        if (_unicode is not null)
            ScanWith(text, _unicode, ref found);
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
                    if (rest.StartsWith(_literals[id], StringComparison.OrdinalIgnoreCase))
                    {
                        found.Found(id);
                        verified = true;
                    }
                }
            }
            if (!verified)
            {
                // Case folding outside ASCII can disagree with the prefix table; check every literal here.
                for (var id = 0; id < _literals.Length; id++)
                {
                    if (rest.StartsWith(_literals[id], StringComparison.OrdinalIgnoreCase))
                        found.Found(id);
                }
            }
            offset = at + 1;
        }
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
