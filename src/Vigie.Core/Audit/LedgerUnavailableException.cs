namespace Vigie.Core.Audit;

/// <summary>
/// The ledger could not commit an entry, so the request it records is not carried out or answered: the FHIR API
/// says 503 with an OperationOutcome, other endpoints a 503 problem. The store's own error is the inner exception.
/// </summary>
public sealed class LedgerUnavailableException : Exception
{
    public const string Explanation = "the audit ledger cannot record this request right now, so it was not carried out; try again shortly";

    public LedgerUnavailableException()
        : base(Explanation)
    {
    }

    public LedgerUnavailableException(string message)
        : base(message)
    {
    }

    public LedgerUnavailableException(Exception inner)
        : base(Explanation, inner)
    {
    }

    public LedgerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
