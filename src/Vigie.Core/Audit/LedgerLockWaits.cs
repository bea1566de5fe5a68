namespace Vigie.Core.Audit;

/// <summary>
/// Whether the ledger's writer is waiting for the store's write lock (SQLite has one writer at a time). The store
/// notes each time the ledger's writer finds the lock taken; a writer of many rows (the event store) commits what it
/// has at its next batch boundary when it is waiting, and lets it in. Every audited request waits for its ledger
/// entry, so a background transaction of 2,000 rows held every FHIR read it overlapped (p99 45–55 ms,
/// bench/fhir/run.sh).
/// </summary>
public static class LedgerLockWaits
{
    private static long _lastWait = long.MinValue / 2;

    /// <summary>Called by the store when the ledger's writer finds the write lock taken.</summary>
    public static void Note() => Volatile.Write(ref _lastWait, Environment.TickCount64);

    /// <summary>True when the ledger's writer found the lock taken within the last few milliseconds.</summary>
    public static bool Waiting => Environment.TickCount64 - Volatile.Read(ref _lastWait) < 5;
}
