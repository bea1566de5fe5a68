using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Server.Tests.Support;
using Vigie.Storage;

namespace Vigie.Records.Tests.Support;

/// <summary>What a database administrator could do to the ledger behind Vigie's back, for the tamper tests.</summary>
internal static class LedgerForgery
{
    /// <summary>A connection straight to the store's database, outside Vigie, opened.</summary>
    public static async Task<DbConnection> OpenAsync(VigieTestHost host)
    {
        DbConnection connection = host.Store.Location.Provider == StoreProvider.Sqlite
            ? new SqliteConnection(host.Store.Location.ConnectionString)
            : new NpgsqlConnection(host.Store.Location.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs SQL on a connection of <see cref="OpenAsync"/>.</summary>
    public static async Task ExecuteAsync(DbConnection connection, params string[] statements)
    {
        foreach (var sql in statements)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs SQL straight on the store's database, outside Vigie.</summary>
    public static async Task ExecuteAsync(VigieTestHost host, params string[] statements)
    {
        await using var connection = await OpenAsync(host);
        await ExecuteAsync(connection, statements);
    }

    /// <summary>
    /// Makes the store refuse every new ledger entry (a trigger), as a full disk or a revoked grant would; or takes the
    /// trigger away again.
    /// </summary>
    public static Task RefuseEntriesAsync(VigieTestHost host, bool refuse) =>
        ExecuteAsync(host, (host.Store.Location.Provider == StoreProvider.Sqlite, refuse) switch
        {
            (true, true) => ["CREATE TRIGGER refuse_ledger BEFORE INSERT ON audit_ledger BEGIN SELECT RAISE(ABORT, 'ledger refused'); END"],
            (true, false) => ["DROP TRIGGER refuse_ledger"],
            (false, true) =>
            [
                "CREATE FUNCTION refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger refused'; END $$",
                "CREATE TRIGGER refuse_ledger BEFORE INSERT ON audit_ledger FOR EACH ROW EXECUTE FUNCTION refuse_ledger()",
            ],
            (false, false) => ["DROP TRIGGER refuse_ledger ON audit_ledger", "DROP FUNCTION refuse_ledger()"],
        });

    /// <summary>The ledger entry of a clinician's permitted read of a patient.</summary>
    public static LedgerEntry Read(string user, string patientId) => new()
    {
        UserName = user, UserRoles = "clinician", Action = "read", ResourceType = "Patient", ResourceId = patientId, PatientId = patientId,
        Status = 200, Decision = "permit", Purpose = "TREAT", PrevHash = [], Hash = [],
    };

    /// <summary>
    /// A careful forger: changes the decision of the entry at <paramref name="index"/> (0-based, in sequence order)
    /// and recomputes every link and hash from there on, so that only the signed checkpoints can tell.
    /// </summary>
    public static Task RewriteFromAsync(VigieTestHost host, int index) =>
        host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            var all = db.AuditLedger.OrderBy(e => e.Seq).ToList();
            var prev = all[index - 1].Hash;
            for (var i = index; i < all.Count; i++)
            {
                if (i == index)
                    all[i].Decision = "deny";
                all[i].PrevHash = prev;
                all[i].Hash = LedgerCanonical.Hash(prev, all[i]);
                prev = all[i].Hash;
            }
            await db.SaveChangesAsync();
            return true;
        });
}
