namespace Vigie.Core.Records;

/// <summary>A FHIR interaction refused with an HTTP status and an OperationOutcome issue code.</summary>
public sealed class FhirException(int status, string code, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public int Status { get; } = status;
    /// <summary>The OperationOutcome issue type (invalid, not-found, forbidden, conflict, not-supported, processing …).</summary>
    public string Code { get; } = code;
    /// <summary>One line per problem, each naming where it is.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public static FhirException Invalid(string message, IReadOnlyList<string>? details = null) => new(400, "invalid", message, details);
    public static FhirException NotFound(string message) => new(404, "not-found", message);
}
