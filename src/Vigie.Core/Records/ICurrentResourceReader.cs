namespace Vigie.Core.Records;

/// <summary>
/// Reads the current version of one resource straight from the store, outside any unit of work and without the EF
/// model: the first step of every FHIR read. Measured (bench/fhir/run.sh, perf): setting up the EF context and running
/// its compiled query took 80 % of the CPU a read spends in its own code.
/// </summary>
public interface ICurrentResourceReader
{
    /// <summary>The resource's current row (content still encrypted), or null when it does not exist.</summary>
    Task<StoredResource?> FindAsync(string type, string id, CancellationToken ct);

    /// <summary>
    /// One page of a patient's current resources of a type (not deleted), newest first (last update, then id, both
    /// descending), and how many there are in all: the commonest search (<c>Observation?patient=…</c>). Without
    /// <paramref name="countAll"/> (the client asked <c>_total=none</c>) nothing is counted and the total is null.
    /// </summary>
    Task<(List<StoredResource> Rows, int? Total)> PatientPageAsync(string type, string patient, int offset, int count, bool countAll, CancellationToken ct);
}
