using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Vigie.Storage.Records;

/// <summary>
/// The ledger writer's own SQLite connection, set apart from the store's others while the writer holds it:
/// <list type="bullet">
/// <item>It waits for SQLite's write lock in steps of about a millisecond, for 30 s at most. SQLite's own wait
/// (busy_timeout) sleeps 1, 2, 5 … 50, 100 ms between attempts: measured with strace under a FHIR read load, the writer
/// slept up to 100 ms at a time while the event store or the outbox held the lock, and every read waiting for its
/// ledger entry waited with it (p99 over 100 ms, bench/fhir/run.sh).</item>
/// <item>It leaves checkpoints to the other connections. SQLite checkpoints inside the commit that finds the WAL past
/// its threshold (1,000 pages), so a writer that checkpoints keeps every read waiting for that batch until the pages
/// are copied and synced. The store's other connections (the event store, the outbox's marks, every unit of work)
/// still checkpoint at 1,000 pages; the writer does so only past <see cref="CheckpointPages"/>, should nothing else
/// commit. Measured in alternating runs of audited reads: p99 8.2–8.7 ms against 12.9–16.8 ms, at the same rate
/// (docs/BENCHMARKS.md).</item>
/// </list>
/// </summary>
public static class SqliteLedgerConnection
{
    private const int MaxAttempts = 30_000;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyHandler(IntPtr argument, int attempts);

    private static readonly BusyHandler Handler = Busy;
    private static readonly IntPtr HandlerPointer = Marshal.GetFunctionPointerForDelegate(Handler);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, IntPtr handler, IntPtr argument);

    /// <summary>
    /// The WAL's length, in frames, past which the writer checkpoints after all (about 400 MiB of 4 KiB pages): a
    /// safeguard only. Under audited reads the WAL holds up to some 9,000 frames between its restarts while the other
    /// connections checkpoint, so a threshold of 10,000 still had the writer checkpointing, and the tail stayed as it was.
    /// </summary>
    public const int CheckpointPages = 100_000;

    /// <summary>SQLite's own threshold, which the store's other connections keep.</summary>
    public const int UsualCheckpointPages = 1_000;

    /// <summary>Installs the short wait and the writer's checkpoint threshold on an open SQLite connection.</summary>
    public static void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite)
            return;
        sqlite3_busy_handler(handle.DangerousGetHandle(), HandlerPointer, IntPtr.Zero);
        Execute(sqlite, "PRAGMA wal_autocheckpoint=" + CheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Puts back the store's usual wait and checkpoint threshold before the connection returns to the pool.</summary>
    public static void Restore(DbConnection connection)
    {
        if (connection is SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
            Execute(sqlite, SqliteWaits.BusyTimeoutPragma + " PRAGMA wal_autocheckpoint=" + UsualCheckpointPages.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // Constant pragmas only.
        cmd.CommandText = sql;
#pragma warning restore CA2100
        cmd.ExecuteNonQuery();
    }

    private static int Busy(IntPtr argument, int attempts)
    {
        Vigie.Core.Audit.LedgerLockWaits.Note();
        if (attempts >= MaxAttempts)
            return 0;
        if (attempts < 8)
            Thread.Yield();
        else
            Thread.Sleep(1);
        return 1;
    }
}
