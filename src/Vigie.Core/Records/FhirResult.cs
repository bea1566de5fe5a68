namespace Vigie.Core.Records;

/// <summary>What a FHIR interaction answers: status, body (FHIR JSON) and the headers FHIR defines.</summary>
public sealed record FhirResult(int Status, byte[] Body, string? Location = null, string? ETag = null, DateTime? LastModified = null)
{
    /// <summary>Possible duplicates of a Patient just created (<c>X-Possible-Duplicates: Patient/a, Patient/b</c>).</summary>
    public string? PossibleDuplicates { get; init; }
}

/// <summary>The request around an interaction: who asked from where, and why.</summary>
public sealed record FhirRequestContext(
    string RequestId,
    string? ClientAddress,
    string Purpose,
    string? Justification,
    string BaseUrl);
