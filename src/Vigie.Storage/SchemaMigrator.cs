using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Vigie.Storage;

/// <summary>
/// Applies the SQL migrations of the store's provider, in order, each in its own transaction,
/// recording them in <c>schema_migrations</c>. Several nodes starting at once on PostgreSQL
/// serialise on an advisory lock; on SQLite, <c>BEGIN IMMEDIATE</c> does the same.
/// </summary>
public sealed class SchemaMigrator(StoreLocation store)
{
    private const string SqliteTableExists = "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_migrations'";
    private const string PostgresTableExists = "SELECT to_regclass('schema_migrations')::text";
    private const long AdvisoryLockKey = 0x56_49_47_49_45; // "VIGIE"

    public sealed record Migration(int Version, string Name, string Sql, string Checksum);

    public sealed record Status(int Applied, int Known, IReadOnlyList<Migration> Pending);

    public IReadOnlyList<Migration> Known { get; } = LoadMigrations(store.Provider);

    private static IReadOnlyList<Migration> LoadMigrations(StoreProvider provider)
    {
        var folder = provider == StoreProvider.Postgres ? "postgres" : "sqlite";
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Vigie.Storage.Migrations.{folder}.";
        var list = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = name[prefix.Length..];
            // Resource names of files starting with a digit get a leading underscore.
            var bare = file.TrimStart('_');
            var version = int.Parse(bare[..4], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            list.Add(new Migration(version, Path.GetFileNameWithoutExtension(bare), sql, checksum));
        }
        return list.OrderBy(m => m.Version).ToList();
    }

    public DbConnection OpenConnection()
    {
        if (store.Provider == StoreProvider.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(store.ConnectionString).DataSource;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var connection = new SqliteConnection(store.ConnectionString);
            connection.Open();
            return connection;
        }
        var pg = new NpgsqlConnection(store.ConnectionString);
        pg.Open();
        return pg;
    }

    public async Task<Status> StatusAsync(CancellationToken ct = default)
    {
        await using var connection = OpenConnection();
        var applied = await AppliedAsync(connection, null, ct);
        var pending = Known.Where(m => !applied.ContainsKey(m.Version)).ToList();
        return new Status(applied.Count, Known.Count, pending);
    }

    /// <summary>Applies what is pending; returns the migrations applied now.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = OpenConnection();
        if (store.Provider == StoreProvider.Sqlite)
        {
            // WAL lets readers (the console, searches) run while ingestion writes; FULL sync makes each
            // acknowledged commit durable across a power loss, not only a process crash.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", ct);
        }
        await ExecuteAsync(connection, null, store.Provider == StoreProvider.Postgres
            ? "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)", ct);

        var done = new List<Migration>();
        foreach (var migration in Known)
        {
            await using var tx = await BeginAsync(connection, ct);
            var applied = await AppliedAsync(connection, tx, ct);
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                    throw new InvalidOperationException($"migration {migration.Name} was changed after it was applied to this store; migrations are immutable, add a new one instead");
                await tx.CommitAsync(ct);
                continue;
            }
            await ExecuteAsync(connection, tx, migration.Sql, ct);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)";
                AddParameter(insert, "@v", migration.Version);
                AddParameter(insert, "@n", migration.Name);
                AddParameter(insert, "@c", migration.Checksum);
                await insert.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            done.Add(migration);
        }

        var all = await AppliedAsync(connection, null, ct);
        var newest = all.Count == 0 ? 0 : all.Keys.Max();
        if (newest > (Known.Count == 0 ? 0 : Known[^1].Version))
            throw new InvalidOperationException($"this store was migrated by a newer Vigie (schema version {newest}); upgrade Vigie");
        return done;
    }

    private async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken ct)
    {
        if (connection is SqliteConnection sqlite)
            return sqlite.BeginTransaction(deferred: false);
        var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct);
        return tx;
    }

    private static async Task<Dictionary<int, string>> AppliedAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct)
    {
        var result = new Dictionary<int, string>();
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = connection is SqliteConnection ? SqliteTableExists : PostgresTableExists;
        var exists = await cmd.ExecuteScalarAsync(ct);
        if (exists is null or DBNull)
            return result;
        cmd.CommandText = "SELECT version, checksum FROM schema_migrations";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result[reader.GetInt32(0)] = reader.GetString(1);
        return result;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // Migration scripts are embedded resources of this assembly, never user input.
        cmd.CommandText = sql;
#pragma warning restore CA2100
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
