using Microsoft.EntityFrameworkCore;

namespace Vigie.Core.Data;

/// <summary>
/// Commits of data that Vigie derives again from a durable source after a power cut: events forwarded from an
/// outbox, detections, alerts, the privacy index, and the cursors that follow them. On SQLite these commit without
/// their own fsync (<c>synchronous=NORMAL</c>), and on PostgreSQL without waiting for the server's WAL flush
/// (<c>synchronous_commit = off</c>); what Vigie answers for (the ledger, collectors' batches, anything a user
/// saves) keeps full durability on both.
/// <para>
/// Why this is safe: the store has one write-ahead log, written in commit order. A power cut may lose the newest
/// relaxed commits, never an older one before a newer one, and the next full commit (a ledger entry, say) makes
/// every frame before it durable (PostgreSQL's WAL likewise loses only its newest asynchronous commits in a crash).
/// What is lost is a suffix of derived work whose source is still there: the outbox entries are still unforwarded,
/// the events still after the cursors, and each pass does them again (outbox batches carry idempotency keys). A crash of Vigie alone loses nothing: the log is in the operating system's
/// hands once written.
/// </para>
/// <para>
/// Why it is done: an fsync per derived commit put those commits in the ledger's way. Measured with
/// bench/fhir/compare.sh, audited reads' p99 went from 15–19 ms to 9–12 ms at the same rate (docs/BENCHMARKS.md).
/// </para>
/// </summary>
public static class DerivedWrites
{
    /// <summary>SQLite's setting for derived data, and for everything else.</summary>
    public const string SqliteRelaxed = "PRAGMA synchronous=NORMAL";
    public const string SqliteFull = "PRAGMA synchronous=FULL";
    private const string PostgresRelaxed = "SET synchronous_commit = off";
    private const string PostgresFull = "RESET synchronous_commit";

    /// <summary>For one transaction of derived data on PostgreSQL (ends with it).</summary>
    public const string PostgresTransaction = "SET LOCAL synchronous_commit = off";

    /// <summary>
    /// Keeps the context's connection open and relaxed until disposed, then sets it back to full durability before it
    /// returns to the connection pool.
    /// </summary>
    public static async Task<IAsyncDisposable> RelaxAsync(VigieDbContext db, CancellationToken ct)
    {
        var postgres = Audit.LedgerWriter.IsPostgres(db);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync(postgres ? PostgresRelaxed : SqliteRelaxed, ct);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
        return new Scope(db, postgres ? PostgresFull : SqliteFull);
    }

    private sealed class Scope(VigieDbContext db, string restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // A failed pass may leave its transaction open: the setting is put back outside it.
                if (db.Database.CurrentTransaction is { } open)
                    await open.DisposeAsync();
                await db.Database.ExecuteSqlRawAsync(restore);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
