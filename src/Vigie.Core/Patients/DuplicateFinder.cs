using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Records;
using Vigie.Core.Establishments;

namespace Vigie.Core.Patients;

/// <summary>
/// Probabilistic duplicate detection over the master patient index. Blocking: only identities sharing a blocking
/// key (same birth date, or same family-name Soundex and birth year) are compared. Scoring (log-odds style weights):
/// same family name +4 (same sound +2), a shared given name +3, same birth date +4 (same year +1), same sex +1
/// (different −3), same birthplace +1, a shared identifier other than Vigie's (passport, card, record number) +6.
/// 9 or more is a probable duplicate, 6 to 8 a possible one.
/// </summary>
public sealed class DuplicateFinder(VigieDbContext db, FhirResourceStore store)
{
    public const int Probable = 9;
    public const int Possible = 6;

    /// <summary>A likely duplicate; <see cref="EstablishmentId"/> is where its identity was registered.</summary>
    public sealed record Candidate(string PatientId, string NationalId, int Score, string Level, IReadOnlyList<string> Reasons, Guid? EstablishmentId = null);

    /// <summary>Likely duplicates of a patient; with <paramref name="scope"/>, only those registered within it are examined.</summary>
    public async Task<List<Candidate>> FindAsync(string patientId, AccessScope? scope = null, CancellationToken ct = default)
    {
        var identity = await db.PatientIdentities.AsNoTracking().SingleOrDefaultAsync(p => p.PatientId == patientId, ct)
            ?? throw VigieException.NotFound($"Patient/{patientId} is not in the patient index");
        var keys = (identity.BlockingKeys ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (keys.Length == 0)
            return [];
        var others = await db.PatientIdentities.AsNoTracking().Where(p => p.PatientId != patientId && p.MergedInto == null && p.BlockingKeys != null).ToListAsync(ct);
        var block = others.Where(o => (scope is null || scope.Contains(o.EstablishmentId)) && o.BlockingKeys!.Split(';').Intersect(keys).Any()).ToList();
        var facts = await FactsAsync(patientId, ct);
        if (facts is null)
            return [];
        var result = new List<Candidate>();
        foreach (var other in block)
        {
            var otherFacts = await FactsAsync(other.PatientId, ct);
            if (otherFacts is null)
                continue;
            var (score, reasons) = Score(facts, otherFacts);
            if (score >= Possible)
                result.Add(new Candidate(other.PatientId, other.NationalId, score, score >= Probable ? "probable" : "possible", reasons, other.EstablishmentId));
        }
        return result.OrderByDescending(c => c.Score).ToList();
    }

    /// <summary>Every pair of probable or possible duplicates in the index.</summary>
    public async Task<List<(string A, Candidate B)>> FindAllAsync(CancellationToken ct = default)
    {
        var ids = await db.PatientIdentities.AsNoTracking().Where(p => p.MergedInto == null).OrderBy(p => p.PatientId).Select(p => p.PatientId).ToListAsync(ct);
        var pairs = new List<(string, Candidate)>();
        foreach (var id in ids)
        {
            foreach (var c in await FindAsync(id, ct: ct))
            {
                if (string.CompareOrdinal(id, c.PatientId) < 0)
                    pairs.Add((id, c));
            }
        }
        return pairs;
    }

    private async Task<PatientFacts?> FactsAsync(string patientId, CancellationToken ct)
    {
        var row = await store.FindReadOnlyAsync("Patient", patientId, ct);
        if (row is null || row.Deleted)
            return null;
        using var doc = JsonDocument.Parse(await store.ContentAsync(row, ct));
        return PatientFacts.Of(doc.RootElement);
    }

    public static (int Score, List<string> Reasons) Score(PatientFacts a, PatientFacts b)
    {
        var score = 0;
        var reasons = new List<string>();
        if (a.FamilyNames.Intersect(b.FamilyNames).Any())
        {
            score += 4;
            reasons.Add("same family name");
        }
        else if (a.FamilyNames.Select(PatientFacts.Soundex).Intersect(b.FamilyNames.Select(PatientFacts.Soundex)).Any())
        {
            score += 2;
            reasons.Add("family names sound alike");
        }
        if (a.GivenNames.Intersect(b.GivenNames).Any())
        {
            score += 3;
            reasons.Add("a given name in common");
        }
        if (a.BirthDate is not null && a.BirthDate == b.BirthDate)
        {
            score += 4;
            reasons.Add("same birth date");
        }
        else if (a.BirthDate is { Length: >= 4 } x && b.BirthDate is { Length: >= 4 } y && x[..4] == y[..4])
        {
            score += 1;
            reasons.Add("same birth year");
        }
        if (a.Gender is not null && b.Gender is not null)
        {
            if (a.Gender == b.Gender)
            {
                score += 1;
            }
            else
            {
                score -= 3;
                reasons.Add("different sex");
            }
        }
        if (a.BirthPlace is not null && a.BirthPlace == b.BirthPlace)
        {
            score += 1;
            reasons.Add("same birthplace");
        }
        var shared = a.Identifiers.Where(i => !i.StartsWith(NationalHealthId.System, StringComparison.Ordinal)).Intersect(b.Identifiers).ToList();
        if (shared.Count > 0)
        {
            score += 6;
            reasons.Add("a shared identifier");
        }
        return (score, reasons);
    }
}
