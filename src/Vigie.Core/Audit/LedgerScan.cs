namespace Vigie.Core.Audit;

/// <summary>Where a streaming pass over the chain stopped, and what it saw.</summary>
/// <param name="Count">Entries verified.</param>
/// <param name="Expected">The sequence the next entry should have had.</param>
/// <param name="Running">The hash of the last verified entry.</param>
/// <param name="Broken">True when an entry did not link or hash as it should.</param>
/// <param name="RewrittenAt">The checkpoint whose signed hash the chain did not reach, or 0.</param>
/// <param name="LastGoodCheckpoint">The last checkpoint the chain reached.</param>
/// <param name="NextCheckpoint">Index of the first checkpoint not yet reached.</param>
public sealed record LedgerScan(long Count, long Expected, byte[] Running, bool Broken, long RewrittenAt, long LastGoodCheckpoint, int NextCheckpoint);

/// <summary>Streams the ledger in sequence, checking each link and hash and the signed heads it passes.</summary>
public interface ILedgerScanner
{
    /// <param name="checkpoints">The signed checkpoints, in order.</param>
    /// <param name="progress">Told, now and then, how many entries have been verified so far.</param>
    /// <param name="ct">Stops the scan.</param>
    Task<LedgerScan> ScanAsync(IReadOnlyList<LedgerCheckpoint> checkpoints, IProgress<long>? progress, CancellationToken ct);
}
