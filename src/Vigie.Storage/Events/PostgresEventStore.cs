using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Vigie.Core.Detection;
using Vigie.Core.Events;

namespace Vigie.Storage.Events;

/// <summary>
/// The event store on PostgreSQL: events partitioned by day of <c>@timestamp</c> (partitions created on first
/// use; retention drops whole days when no establishment keeps them), written with binary COPY inside the
/// transaction that also claims the batches' idempotency keys.
/// </summary>
internal sealed class PostgresEventStore(StoreLocation store) : SqlEventStore(PostgresDialect.Instance)
{
    private readonly ConcurrentDictionary<DateOnly, bool> _partitions = new();

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    protected override DateTime ReadTime(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    protected override Guid ReadGuid(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    private static string PartitionName(DateOnly day) => "events_p" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, IEnumerable<DateOnly> days, CancellationToken ct)
    {
        foreach (var day in days)
        {
            if (_partitions.ContainsKey(day))
                continue;
            var from = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Partition names and bounds are formatted dates.
            command.CommandText = $"CREATE TABLE IF NOT EXISTS {PartitionName(day)} PARTITION OF events FOR VALUES FROM ('{from} 00:00:00+00') TO ('{to} 00:00:00+00')";
#pragma warning restore CA2100
            try
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
            {
                // Another node created it at the same moment.
            }
            _partitions[day] = true;
        }
    }

    /// <summary>
    /// Records the idempotency keys of <paramref name="batches"/> in one statement and returns those that were new.
    /// One insert per key cost a round trip per batch: the outbox forwards every ledger entry as a batch of its own, so
    /// forwarding 20,000 entries made 20,000 round trips (pg_stat_statements, bench/fhir/run.sh on PostgreSQL).
    /// </summary>
    private static async Task<HashSet<(string Collector, string Key)>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyList<EventBatch> batches, CancellationToken ct)
    {
        var collectors = new List<string>();
        var keys = new List<string>();
        var counts = new List<int>();
        foreach (var batch in batches)
        {
            if (batch.IdempotencyKey is null)
                continue;
            collectors.Add(batch.Collector ?? "");
            keys.Add(batch.IdempotencyKey);
            counts.Add(batch.Events.Count);
        }
        var claimed = new HashSet<(string, string)>();
        if (keys.Count == 0)
            return claimed;
        await using var claim = new NpgsqlCommand(
            "INSERT INTO ingest_batches (collector, idempotency_key, events, created_at) " +
            "SELECT c, k, n, now() FROM unnest(@c, @k, @n) AS b(c, k, n) ON CONFLICT DO NOTHING RETURNING collector, idempotency_key", connection, tx);
        claim.Parameters.AddWithValue("c", collectors.ToArray());
        claim.Parameters.AddWithValue("k", keys.ToArray());
        claim.Parameters.AddWithValue("n", counts.ToArray());
        await using var reader = await claim.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add((reader.GetString(0), reader.GetString(1)));
        return claimed;
    }

    public override async Task<IReadOnlyList<bool>> AppendAsync(IReadOnlyList<EventBatch> batches, CancellationToken ct)
    {
        await using var connection = (NpgsqlConnection)await OpenAsync(ct);
        var days = new HashSet<DateOnly>();
        foreach (var batch in batches)
        {
            foreach (var e in batch.Events)
                days.Add(DateOnly.FromDateTime(e.Timestamp));
        }
        await EnsurePartitionsAsync(connection, days, ct);

        await using var tx = await connection.BeginTransactionAsync(ct);
        if (batches.All(b => b.Replayable))
            await RelaxAsync(connection, tx, ct);
        var results = new bool[batches.Count];
        var keep = new List<EventBatch>(batches.Count);
        var claimed = await ClaimAsync(connection, tx, batches, ct);
        for (var b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            // A key claimed by this call admits its first batch only; a key claimed before admits none.
            if (batch.IdempotencyKey is not null && !claimed.Remove((batch.Collector ?? "", batch.IdempotencyKey)))
                continue;
            results[b] = true;
            keep.Add(batch);
        }
        if (keep.Count > 0)
        {
            // Ids drawn first, so that detection knows each event's id without reading it back.
            var count = keep.Sum(b => b.Events.Count);
            var ids = new List<long>(count);
            await using (var draw = new NpgsqlCommand("SELECT nextval('events_id_seq') FROM generate_series(1, @n)", connection, tx))
            {
                draw.Parameters.AddWithValue("n", count);
                await using var reader = await draw.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    ids.Add(reader.GetInt64(0));
            }
            var next = 0;
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY events (id, ts, establishment_id, dataset, kind, action, outcome, host_name, user_name, source_ip, destination_ip, doc) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var batch in keep)
            {
                foreach (var e in batch.Events)
                {
                    var d = e.Document;
                    await copy.StartRowAsync(ct);
                    e.Id = ids[next++];
                    await copy.WriteAsync(e.Id, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(e.EstablishmentId, NpgsqlDbType.Uuid, ct);
                    await WriteText(copy, d.GetText(EventFields.Dataset), ct);
                    await WriteText(copy, d.GetText(EventFields.Kind), ct);
                    await WriteText(copy, d.GetText(EventFields.Action), ct);
                    await WriteText(copy, d.GetText(EventFields.Outcome), ct);
                    await WriteText(copy, d.GetText(EventFields.HostName), ct);
                    await WriteText(copy, d.GetText(EventFields.UserName), ct);
                    await WriteText(copy, d.GetText(EventFields.SourceIp), ct);
                    await WriteText(copy, d.GetText(EventFields.DestinationIp), ct);
                    // jsonb rejects NUL characters, which JSON escapes as \u0000; they become U+FFFD.
                    var json = Encoding.UTF8.GetString(e.Json ??= d.ToUtf8Json());
                    if (json.Contains("\\u0000", StringComparison.Ordinal))
                        json = json.Replace("\\u0000", "\\uFFFD", StringComparison.Ordinal);
                    await copy.WriteAsync(json, NpgsqlDbType.Jsonb, ct);
                }
            }
            await copy.CompleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        return results;
    }

    private static Task WriteText(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);

    /// <summary>This transaction commits without waiting for the WAL flush (<see cref="Vigie.Core.Data.DerivedWrites"/>).</summary>
    private static async Task RelaxAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(Vigie.Core.Data.DerivedWrites.PostgresTransaction, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public override async Task SaveDetectionsAsync(IReadOnlyList<Detection> detections, string cursor, long lastId, CancellationToken ct)
    {
        await using var connection = (NpgsqlConnection)await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Detections are found again from the events after the cursor.
        await RelaxAsync(connection, tx, ct);
        if (detections.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, tx);
            foreach (var d in detections)
            {
                var command = new NpgsqlBatchCommand(
                    "INSERT INTO detections (rule_id, rule_title, level, tags, event_id, event_time, establishment_id, detected_at, correlation, group_values, event_count) " +
                    "VALUES (@r, @t, @l, @g, @e, @et, @est, @at, @c, @gv, @n) ON CONFLICT DO NOTHING");
                command.Parameters.AddWithValue("r", d.RuleId);
                command.Parameters.AddWithValue("t", d.RuleTitle);
                command.Parameters.AddWithValue("l", d.Level);
                command.Parameters.AddWithValue("g", d.Tags);
                command.Parameters.AddWithValue("e", NpgsqlDbType.Bigint, (object?)d.EventId ?? DBNull.Value);
                command.Parameters.AddWithValue("et", DateTime.SpecifyKind(d.EventTime, DateTimeKind.Utc));
                command.Parameters.AddWithValue("est", d.EstablishmentId);
                command.Parameters.AddWithValue("at", DateTime.SpecifyKind(d.DetectedAt, DateTimeKind.Utc));
                command.Parameters.AddWithValue("c", d.Correlation);
                command.Parameters.AddWithValue("gv", NpgsqlDbType.Text, (object?)d.GroupValues ?? DBNull.Value);
                command.Parameters.AddWithValue("n", NpgsqlDbType.Integer, (object?)d.EventCount ?? DBNull.Value);
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        await using (var move = new NpgsqlCommand(
            "INSERT INTO event_cursors (name, last_id) VALUES (@n, @id) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id", connection, tx))
        {
            move.Parameters.AddWithValue("n", cursor);
            move.Parameters.AddWithValue("id", lastId);
            await move.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    protected override string HistogramSql(string where, SqlParameters p, TimeSpan interval) =>
        $"SELECT date_bin({p.Add(interval)}, e.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, COUNT(*) FROM events e WHERE {where} GROUP BY 1 ORDER BY 1";

    protected override DateTime BucketStart(DbDataReader reader, TimeSpan interval) => DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc);

    public override async Task<long> DeleteOlderThanAsync(Guid establishmentId, DateTime cutoff, CancellationToken ct)
    {
        var deleted = await base.DeleteOlderThanAsync(establishmentId, cutoff, ct);
        return deleted;
    }

    /// <summary>Drops the day partitions that end before <paramref name="cutoff"/> (no establishment keeps events that old).</summary>
    public async Task<int> DropPartitionsBeforeAsync(DateTime cutoff, CancellationToken ct)
    {
        await using var connection = (NpgsqlConnection)await OpenAsync(ct);
        var names = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                names.Add(reader.GetString(0));
        }
        var dropped = 0;
        foreach (var name in names)
        {
            if (name.Length != 16 || !DateOnly.TryParseExact(name[8..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                continue;
            if (day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) > cutoff)
                continue;
#pragma warning disable CA2100 // Partition names come from the catalogue and were checked above.
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {name}", connection);
#pragma warning restore CA2100
            await drop.ExecuteNonQueryAsync(ct);
            _partitions.TryRemove(day, out _);
            dropped++;
        }
        return dropped;
    }
}
