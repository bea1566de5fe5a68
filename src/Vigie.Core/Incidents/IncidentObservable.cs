namespace Vigie.Core.Incidents;

/// <summary>
/// Something observed in the incident that can be looked for elsewhere: an address, a domain, a URL, a hash,
/// an account, a host, or a patient (only as a pseudonym).
/// </summary>
public sealed class IncidentObservable
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    /// <summary>address, domain, url, hash, account, host or patient.</summary>
    public required string Kind { get; set; }
    public required string Value { get; set; }
    /// <summary>Where it was found: <c>alert 12</c>, or the person who added it.</summary>
    public required string Source { get; set; }
    public DateTime FirstSeen { get; set; }
    public int Sightings { get; set; } = 1;

    public static IReadOnlyList<string> Kinds { get; } = ["address", "domain", "url", "hash", "account", "host", "patient"];
}
