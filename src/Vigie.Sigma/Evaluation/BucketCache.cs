namespace Vigie.Sigma.Evaluation;

/// <summary>
/// An evaluator's own map from logsource signatures (the discriminating fields' values) to rule buckets, looked up by
/// hash and verified value by value (case-insensitively), so that finding an event's bucket allocates nothing.
/// </summary>
internal sealed class BucketCache(int discriminators)
{
    private const int MaxEntries = 4096;
    private readonly Dictionary<int, Entry> _entries = [];

    /// <summary>Scratch space for the event being looked up.</summary>
    public string?[] Values { get; } = new string?[discriminators];

    /// <summary>Scratch space for the signature text, on a miss.</summary>
    public System.Text.StringBuilder Key { get; } = new();

    /// <summary>The bucket cached for these values of <paramref name="fields"/> (the others are absent for this anchor).</summary>
    public bool TryFind(int hash, int anchor, string?[] values, int[] fields, out RuleBucket bucket)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            for (; entry is not null; entry = entry.Next)
            {
                if (entry.Anchor == anchor && SameValues(entry.Values, values, fields))
                {
                    bucket = entry.Bucket;
                    return true;
                }
            }
        }
        bucket = null!;
        return false;
    }

    public void Add(int hash, int anchor, string?[] values, RuleBucket bucket)
    {
        if (_entries.Count >= MaxEntries)
            return;
        _entries.TryGetValue(hash, out var next);
        _entries[hash] = new Entry(anchor, (string?[])values.Clone(), bucket, next);
    }

    private static bool SameValues(string?[] a, string?[] b, int[] fields)
    {
        foreach (var i in fields)
        {
            var x = a[i];
            var y = b[i];
            if (x is null ? y is not null : y is null || !string.Equals(x, y, StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    private sealed record Entry(int Anchor, string?[] Values, RuleBucket Bucket, Entry? Next);
}
