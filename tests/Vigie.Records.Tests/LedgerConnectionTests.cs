using Microsoft.Data.Sqlite;
using Vigie.Storage;
using Vigie.Storage.Records;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>
/// The ledger writer's SQLite connection waits for the lock in short steps and leaves checkpoints to the store's other
/// connections while the writer holds it; back in the pool it must be like any other, or the next unit of work on it
/// would neither wait as long as the others nor checkpoint.
/// </summary>
public sealed class LedgerConnectionTests
{
    [Fact]
    public async Task The_ledger_writers_connection_leaves_checkpoints_to_the_others_and_returns_to_the_pool_like_them()
    {
        await using var store = await TestStore.CreateAsync("sqlite");
        await new SchemaMigrator(store.Location).MigrateAsync();
        await using var connection = new SqliteConnection(store.Location.ConnectionString);
        await connection.OpenAsync();
        async Task<long> PragmaAsync(string name)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA " + name;
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        (await PragmaAsync("wal_autocheckpoint")).ShouldBe(SqliteLedgerConnection.UsualCheckpointPages);
        SqliteLedgerConnection.Apply(connection);
        (await PragmaAsync("wal_autocheckpoint")).ShouldBe(SqliteLedgerConnection.CheckpointPages);

        // The writer's commits now leave the WAL to grow past SQLite's usual threshold without checkpointing it.
        await using (var fill = connection.CreateCommand())
        {
            fill.CommandText = "CREATE TABLE filler (x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) " +
                               "INSERT INTO filler SELECT zeroblob(4000) FROM n;";
            await fill.ExecuteNonQueryAsync();
        }
        await using (var again = connection.CreateCommand())
        {
            again.CommandText = "INSERT INTO filler VALUES (zeroblob(10))";
            await again.ExecuteNonQueryAsync();
        }
        var wal = new FileInfo(new SqliteConnectionStringBuilder(store.Location.ConnectionString).DataSource + "-wal");
        wal.Length.ShouldBeGreaterThan(SqliteLedgerConnection.UsualCheckpointPages * 4096L);
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await using var r = await check.ExecuteReaderAsync();
            (await r.ReadAsync()).ShouldBeTrue();
            r.GetInt64(1).ShouldBeGreaterThan(SqliteLedgerConnection.UsualCheckpointPages, "frames in the WAL before the explicit checkpoint");
        }

        SqliteLedgerConnection.Restore(connection);
        (await PragmaAsync("wal_autocheckpoint")).ShouldBe(SqliteLedgerConnection.UsualCheckpointPages);
        (await PragmaAsync("busy_timeout")).ShouldBe(30_000);
    }
}
