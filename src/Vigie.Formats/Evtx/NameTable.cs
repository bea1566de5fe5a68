using System.Collections.Concurrent;

namespace Vigie.Formats.Evtx;

/// <summary>
/// Process-wide interning of element, attribute and field names. The same few hundred names recur in every
/// chunk of every file; interning them means a record's names cost no allocation and compare by reference.
/// Lookups go through a span-keyed alternate lookup, so a name already seen is found without building a string.
/// </summary>
internal static class NameTable
{
    // Hostile input could carry endless distinct names: beyond this many, names are still returned, just not kept.
    private const int MaxNames = 100_000;

    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Intern(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
            return string.Empty;
        if (Lookup.TryGetValue(name, out var existing))
            return existing;
        var created = new string(name);
        if (Names.Count >= MaxNames)
            return created;
        return Names.GetOrAdd(created, created);
    }

    public static string Intern(string name)
    {
        if (Names.TryGetValue(name, out var existing))
            return existing;
        if (Names.Count >= MaxNames)
            return name;
        return Names.GetOrAdd(name, name);
    }

    /// <summary>Interns <c>first + "_" + second</c> without allocating when the pair was seen before.</summary>
    public static string InternJoined(string first, string second)
    {
        var length = first.Length + 1 + second.Length;
        if (length > 512)
            return Intern(first + "_" + second);
        Span<char> buffer = stackalloc char[length];
        first.CopyTo(buffer);
        buffer[first.Length] = '_';
        second.CopyTo(buffer[(first.Length + 1)..]);
        return Intern(buffer);
    }
}
