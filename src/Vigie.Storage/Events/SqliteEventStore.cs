using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Vigie.Core.Detection;
using Vigie.Core.Events;

namespace Vigie.Storage.Events;

/// <summary>
/// The event store on SQLite: one prepared INSERT re-bound per event inside one transaction per group of
/// batches, so that the cost of the durable commit (an fsync in WAL mode with synchronous=FULL) is shared. Groups
/// made only of replayable batches, and detections with their cursor, commit without the fsync
/// (<see cref="Vigie.Core.Data.DerivedWrites"/> says why that is safe).
/// </summary>
internal sealed class SqliteEventStore(StoreLocation store) : SqlEventStore(SqliteDialect.Instance)
{
    protected override Task<DbConnection> OpenAsync(CancellationToken ct) => OpenAsync(durable: true, ct);

    private async Task<DbConnection> OpenAsync(bool durable, CancellationToken ct)
    {
        var connection = new SqliteConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = (durable ? Vigie.Core.Data.DerivedWrites.SqliteFull : Vigie.Core.Data.DerivedWrites.SqliteRelaxed) + "; " +
            SqliteWaits.BusyTimeoutPragma + " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    protected override DateTime ReadTime(DbDataReader reader, int ordinal) => SqliteDialect.FromMicros(reader.GetInt64(ordinal));

    protected override Guid ReadGuid(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    public override async Task<IReadOnlyList<bool>> AppendAsync(IReadOnlyList<EventBatch> batches, CancellationToken ct)
    {
        await using var connection = (SqliteConnection)await OpenAsync(durable: !batches.All(b => b.Replayable), ct);
        // The transaction may be committed and replaced while the ledger's writer waits (below): the last one is disposed.
        var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        try
        {
            var results = new bool[batches.Count];
            // Committing part of the group early is safe only when every batch carries its idempotency key: if a later
            // part fails, the writer retries the whole group, and the batches already stored are then recognised
            // (reported as duplicates) instead of stored twice. Vigie's own outboxes always key their batches.
            var mayYield = batches.All(b => b.IdempotencyKey is not null);

            await using var claim = connection.CreateCommand();
            claim.Transaction = tx;
            claim.CommandText = "INSERT INTO ingest_batches (collector, idempotency_key, events, created_at) VALUES (@c, @k, @n, @t) ON CONFLICT DO NOTHING";
            var claimCollector = claim.Parameters.Add("@c", SqliteType.Text);
            var claimKey = claim.Parameters.Add("@k", SqliteType.Text);
            var claimCount = claim.Parameters.Add("@n", SqliteType.Integer);
            var claimTime = claim.Parameters.Add("@t", SqliteType.Text);

            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO events (ts, establishment_id, dataset, kind, action, outcome, host_name, user_name, source_ip, destination_ip, doc) " +
                "VALUES (@ts, @est, @dataset, @kind, @action, @outcome, @host, @user, @src, @dst, @doc) RETURNING id";
            var ts = insert.Parameters.Add("@ts", SqliteType.Integer);
            var est = insert.Parameters.Add("@est", SqliteType.Text);
            var dataset = insert.Parameters.Add("@dataset", SqliteType.Text);
            var kind = insert.Parameters.Add("@kind", SqliteType.Text);
            var action = insert.Parameters.Add("@action", SqliteType.Text);
            var outcome = insert.Parameters.Add("@outcome", SqliteType.Text);
            var host = insert.Parameters.Add("@host", SqliteType.Text);
            var user = insert.Parameters.Add("@user", SqliteType.Text);
            var src = insert.Parameters.Add("@src", SqliteType.Text);
            var dst = insert.Parameters.Add("@dst", SqliteType.Text);
            var doc = insert.Parameters.Add("@doc", SqliteType.Text);
            insert.Prepare();
            // The establishment id text of the previous event: batches hold one establishment, so the string is reused.
            var lastEstablishment = Guid.Empty;
            var lastEstablishmentText = "";

            for (var b = 0; b < batches.Count; b++)
            {
                var batch = batches[b];
                // Between two batches (each stays whole), the ledger's writer gets the lock when it waits for it: the
                // batches stored so far are committed, and the rest follow in a new transaction once the ledger's
                // entries are in. The caller learns of every batch only after the last commit.
                if (b > 0 && mayYield && Vigie.Core.Audit.LedgerLockWaits.Waiting)
                {
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
                    claim.Transaction = tx;
                    insert.Transaction = tx;
                }
                if (batch.IdempotencyKey is not null)
                {
                    claimCollector.Value = batch.Collector ?? "";
                    claimKey.Value = batch.IdempotencyKey;
                    claimCount.Value = batch.Events.Count;
                    claimTime.Value = DateTime.UtcNow;
                    if (await claim.ExecuteNonQueryAsync(ct) == 0)
                        continue;
                }
                results[b] = true;
                foreach (var e in batch.Events)
                {
                    var d = e.Document;
                    ts.Value = SqliteDialect.ToMicros(e.Timestamp);
                    if (e.EstablishmentId != lastEstablishment)
                    {
                        lastEstablishment = e.EstablishmentId;
                        lastEstablishmentText = SqliteDialect.Guid(lastEstablishment);
                    }
                    est.Value = lastEstablishmentText;
                    dataset.Value = (object?)d.GetText(EventFields.Dataset) ?? DBNull.Value;
                    kind.Value = (object?)d.GetText(EventFields.Kind) ?? DBNull.Value;
                    action.Value = (object?)d.GetText(EventFields.Action) ?? DBNull.Value;
                    outcome.Value = (object?)d.GetText(EventFields.Outcome) ?? DBNull.Value;
                    host.Value = (object?)d.GetText(EventFields.HostName) ?? DBNull.Value;
                    user.Value = (object?)d.GetText(EventFields.UserName) ?? DBNull.Value;
                    src.Value = (object?)d.GetText(EventFields.SourceIp) ?? DBNull.Value;
                    dst.Value = (object?)d.GetText(EventFields.DestinationIp) ?? DBNull.Value;
                    doc.Value = Encoding.UTF8.GetString(e.Json ??= d.ToUtf8Json());
                    e.Id = (long)(await insert.ExecuteScalarAsync(ct))!;
                }
            }
            await tx.CommitAsync(ct);
            return results;
        }
        finally
        {
            await tx.DisposeAsync();
        }
    }

    public override async Task SaveDetectionsAsync(IReadOnlyList<Detection> detections, string cursor, long lastId, CancellationToken ct)
    {
        // Detections are found again from the events after the cursor.
        await using var connection = (SqliteConnection)await OpenAsync(durable: false, ct);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        if (detections.Count > 0)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO detections (rule_id, rule_title, level, tags, event_id, event_time, establishment_id, detected_at, correlation, group_values, event_count) " +
                "VALUES (@r, @t, @l, @g, @e, @et, @est, @at, @c, @gv, @n) ON CONFLICT DO NOTHING";
            var r = insert.Parameters.Add("@r", SqliteType.Text);
            var t = insert.Parameters.Add("@t", SqliteType.Text);
            var l = insert.Parameters.Add("@l", SqliteType.Text);
            var g = insert.Parameters.Add("@g", SqliteType.Text);
            var e = insert.Parameters.Add("@e", SqliteType.Integer);
            var et = insert.Parameters.Add("@et", SqliteType.Text);
            var est = insert.Parameters.Add("@est", SqliteType.Text);
            var at = insert.Parameters.Add("@at", SqliteType.Text);
            var c = insert.Parameters.Add("@c", SqliteType.Integer);
            var gv = insert.Parameters.Add("@gv", SqliteType.Text);
            var n = insert.Parameters.Add("@n", SqliteType.Integer);
            foreach (var d in detections)
            {
                r.Value = d.RuleId;
                t.Value = d.RuleTitle;
                l.Value = d.Level;
                g.Value = d.Tags;
                e.Value = (object?)d.EventId ?? DBNull.Value;
                et.Value = d.EventTime;
                est.Value = SqliteDialect.Guid(d.EstablishmentId);
                at.Value = d.DetectedAt;
                c.Value = d.Correlation ? 1 : 0;
                gv.Value = (object?)d.GroupValues ?? DBNull.Value;
                n.Value = (object?)d.EventCount ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync(ct);
            }
        }
        await using (var move = connection.CreateCommand())
        {
            move.Transaction = tx;
            move.CommandText = "INSERT INTO event_cursors (name, last_id) VALUES (@n, @id) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id";
            move.Parameters.AddWithValue("@n", cursor);
            move.Parameters.AddWithValue("@id", lastId);
            await move.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    protected override string HistogramSql(string where, SqlParameters p, TimeSpan interval)
    {
        var width = p.Add(interval.Ticks / 10);
        return $"SELECT (e.ts / {width}) * {width} AS bucket, COUNT(*) FROM events e WHERE {where} GROUP BY bucket ORDER BY bucket";
    }

    protected override DateTime BucketStart(DbDataReader reader, TimeSpan interval) => SqliteDialect.FromMicros(reader.GetInt64(0));

    public override async Task<long> DeleteOlderThanAsync(Guid establishmentId, DateTime cutoff, CancellationToken ct)
    {
        // In slices, so that ingestion is never blocked behind one long delete.
        long total = 0;
        while (true)
        {
            await using var connection = await OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE establishment_id = @e AND ts < @cutoff LIMIT 10000)";
            AddParameters(command, new SqlParameters { Values = { ("@e", SqliteDialect.Guid(establishmentId)), ("@cutoff", SqliteDialect.ToMicros(cutoff)) } });
            var n = await command.ExecuteNonQueryAsync(ct);
            total += n;
            if (n < 10000)
                return total;
        }
    }
}
