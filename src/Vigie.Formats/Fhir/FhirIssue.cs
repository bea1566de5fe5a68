namespace Vigie.Formats.Fhir;

/// <summary>One problem found in a FHIR resource: where (a FHIRPath-like location) and what.</summary>
/// <param name="Location">The element, e.g. <c>Observation.code.coding[0].system</c>.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
public sealed record FhirIssue(string Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Message}";
}
