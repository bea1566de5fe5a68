using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Vigie.Core.Records;

/// <summary>
/// Keeps what access decisions read about a patient (identity, consents, care relationships, grants) for a few
/// seconds, so that a burst of reads of one record costs one lookup, not five. A write on this node to anything
/// that changes those facts (the Patient, an Encounter, EpisodeOfCare, CareTeam or Consent, a break-the-glass grant)
/// drops them at once; another node's write is seen within <see cref="Lifetime"/>.
/// Measured: five store queries per decided read before this cache (bench/fhir/run.sh, docs/BENCHMARKS.md).
/// </summary>
public sealed class AccessFactsCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    private string Key(string kind, string patientId, string? detail) =>
        $"records-facts:{kind}:{patientId}:{_generations.GetValueOrDefault(patientId)}:{detail}";

    public bool TryGet<T>(string kind, string patientId, string? detail, out T? value) => cache.TryGetValue(Key(kind, patientId, detail), out value);

    public void Set<T>(string kind, string patientId, string? detail, T value) => cache.Set(Key(kind, patientId, detail), value, Lifetime);

    /// <summary>Forgets every fact about a patient (their generation moves on; old entries expire unread).</summary>
    public void Invalidate(string? patientId)
    {
        if (patientId is not null)
            _generations.AddOrUpdate(patientId, 1, (_, g) => g + 1);
    }
}
