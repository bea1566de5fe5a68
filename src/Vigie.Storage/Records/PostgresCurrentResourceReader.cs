using System.Data;
using Npgsql;
using Vigie.Core.Records;

namespace Vigie.Storage.Records;

/// <summary>
/// The PostgreSQL <see cref="ICurrentResourceReader"/>: the same queries as the SQLite reader, each statement prepared on
/// the server once per physical connection (Npgsql keeps it across the pool's leases) instead of being parsed and
/// planned for every read; a search's count and page go in one round trip.
/// <para>
/// Its connections come from a pool of their own, of at most <see cref="MaxConnections"/>, that skips Npgsql's reset when
/// a connection goes back (<c>No Reset On Close</c>): these connections only ever run the reader's SELECTs, so there is
/// no session state to reset, and the reset cost seven statements on the server for every read (24,276 of each in 8 s
/// of reads, pg_stat_statements). The store's other connections keep their reset.
/// </para>
/// </summary>
public sealed class PostgresCurrentResourceReader : ICurrentResourceReader
{
    /// <summary>The most connections the reader holds (fewer when the store's own setting is lower).</summary>
    public const int MaxConnections = 16;

    /// <summary>Added to the connection string's application name for the reader's connections.</summary>
    public const string ApplicationSuffix = "(records reader)";

    private readonly string _connectionString;

    public PostgresCurrentResourceReader(StoreLocation store)
    {
        var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString) { NoResetOnClose = true };
        // Told apart from the store's other connections in pg_stat_activity.
        builder.ApplicationName = $"{builder.ApplicationName ?? "vigie"} {ApplicationSuffix}".TrimStart();
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, MaxConnections);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        _connectionString = builder.ConnectionString;
    }

    private const string Columns = StoredRows.Columns;
    private const string PatientWhere = " FROM fhir_resources WHERE patient_id = $1 AND resource_type = $2 AND deleted = false";

    public const string FindSql = "SELECT " + Columns + " FROM fhir_resources WHERE resource_type = $1 AND id = $2";
    public const string PatientCountSql = "SELECT count(*)" + PatientWhere;
    public const string PatientPageSql = "SELECT id, " + Columns + PatientWhere + " ORDER BY last_updated DESC, id DESC LIMIT $3 OFFSET $4";

    public Task<StoredResource?> FindAsync(string type, string id, CancellationToken ct) =>
        WithConnectionAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(FindSql, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
            await command.PrepareAsync(ct);
            await using var r = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
            return await r.ReadAsync(ct) ? StoredRows.Read(r, type, id, 0) : null;
        }, ct);

    public Task<(List<StoredResource> Rows, int? Total)> PatientPageAsync(string type, string patient, int offset, int count, bool countAll, CancellationToken ct) =>
        WithConnectionAsync(async connection =>
        {
            var rows = new List<StoredResource>(Math.Clamp(count, 0, 64));
            await using var batch = new NpgsqlBatch(connection);
            if (countAll)
            {
                var total = new NpgsqlBatchCommand(PatientCountSql);
                total.Parameters.Add(new NpgsqlParameter<string> { TypedValue = patient });
                total.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
                batch.BatchCommands.Add(total);
            }
            var page = new NpgsqlBatchCommand(PatientPageSql);
            page.Parameters.Add(new NpgsqlParameter<string> { TypedValue = patient });
            page.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
            page.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(count, 0) });
            page.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(offset, 0) });
            batch.BatchCommands.Add(page);
            await batch.PrepareAsync(ct);
            await using var r = await batch.ExecuteReaderAsync(ct);
            int? all = null;
            if (countAll)
            {
                await r.ReadAsync(ct);
                all = checked((int)r.GetInt64(0));
                await r.NextResultAsync(ct);
            }
            while (await r.ReadAsync(ct))
                rows.Add(StoredRows.Read(r, type, r.GetString(0), 1));
            return (rows, all);
        }, ct);

    /// <summary>
    /// Runs a read on one of the reader's connections. Connections the server has closed since they were last used (a
    /// restart, a failover, an administrator ending sessions) fail at their first command: the pool's idle connections
    /// are then dropped, since they are likely closed too, and the read runs again on a new one at once. Should that fail
    /// too, the server is likely restarting and refusing connections for a moment: two more attempts follow, after 0.5
    /// then 1.5 s, as EF Core's own retries pause for the store's other queries. A read that still fails throws, and the
    /// client gets a 503 (the store is unavailable).
    /// </summary>
    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(ct);
                return await read(connection);
            }
            // Not after a timeout: a slow server would only be asked again, and the caller kept waiting once per attempt.
            catch (NpgsqlException e) when (e.IsTransient && e.InnerException is not TimeoutException && attempt < Attempts && !ct.IsCancellationRequested)
            {
                await using (var pool = new NpgsqlConnection(_connectionString))
                    NpgsqlConnection.ClearPool(pool);
                if (attempt > 1)
                    await Task.Delay(FirstPause * Math.Pow(3, attempt - 2), ct);
            }
        }
    }

    private const int Attempts = 4;

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(500);
}
