namespace Vigie.Core.Incidents;

/// <summary>
/// The facts that decide which regulations apply and what the notifications say: whether personal data is
/// involved, of whom (EU residents, US patients, per US state), how many people and records, how severe the
/// risk to them, and the narrative the drafts reuse.
/// </summary>
public sealed record Qualification
{
    public bool PersonalData { get; init; }
    public bool EuResidents { get; init; }
    /// <summary>GDPR article 34: the breach is likely to result in a high risk to the people's rights and freedoms.</summary>
    public bool HighRisk { get; init; }
    /// <summary>The establishment is an essential or important entity under NIS2 and the incident is significant.</summary>
    public bool? Nis2 { get; init; }
    /// <summary>Protected health information of patients under HIPAA is involved.</summary>
    public bool Hipaa { get; init; }
    public int? PeopleAffected { get; init; }
    public int? RecordsAffected { get; init; }
    /// <summary>HIPAA: people affected per US state (two-letter code); 500 or more in one state means the media are told.</summary>
    public IReadOnlyDictionary<string, int> PeopleByState { get; init; } = new Dictionary<string, int>();
    public string? Nature { get; init; }
    public IReadOnlyList<string> CategoriesOfPeople { get; init; } = [];
    public IReadOnlyList<string> CategoriesOfData { get; init; } = [];
    public string? Consequences { get; init; }
    public string? Measures { get; init; }
    public string? Contact { get; init; }
}
