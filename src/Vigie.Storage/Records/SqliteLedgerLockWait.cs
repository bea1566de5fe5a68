using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Vigie.Storage.Records;

/// <summary>
/// How the ledger's writer waits for SQLite's write lock: in steps of about a millisecond, for 30 s at most. SQLite's
/// own wait (busy_timeout) sleeps 1, 2, 5 … 50, 100 ms between attempts: measured with strace under a FHIR read load,
/// the writer slept up to 100 ms at a time while the event store or the outbox held the lock, and every read waiting
/// for its ledger entry waited with it (p99 over 100 ms, bench/fhir/run.sh).
/// </summary>
public static class SqliteLedgerLockWait
{
    private const int MaxAttempts = 30_000;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyHandler(IntPtr argument, int attempts);

    private static readonly BusyHandler Handler = Busy;
    private static readonly IntPtr HandlerPointer = Marshal.GetFunctionPointerForDelegate(Handler);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, IntPtr handler, IntPtr argument);

    /// <summary>Installs the short wait on an open SQLite connection (other connections are left alone).</summary>
    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
            sqlite3_busy_handler(handle.DangerousGetHandle(), HandlerPointer, IntPtr.Zero);
    }

    /// <summary>Puts back the store's usual wait before the connection returns to the pool.</summary>
    public static void Restore(DbConnection connection)
    {
        if (connection is not SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
            return;
        using var cmd = sqlite.CreateCommand();
        cmd.CommandText = SqliteWaits.BusyTimeoutPragma;
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
