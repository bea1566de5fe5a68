using System.Data.Common;
using Vigie.Core.Detection;
using Vigie.Core.Events;

namespace Vigie.Storage.Events;

/// <summary>What the SQLite and PostgreSQL event stores share: searches, reads for detection, cursors, retention.</summary>
internal abstract class SqlEventStore(SqlDialect dialect) : IEventStore
{
    protected SqlDialect Dialect { get; } = dialect;

    protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    protected abstract DateTime ReadTime(DbDataReader reader, int ordinal);

    protected abstract Guid ReadGuid(DbDataReader reader, int ordinal);

    public abstract Task<IReadOnlyList<bool>> AppendAsync(IReadOnlyList<EventBatch> batches, CancellationToken ct);

    public abstract Task SaveDetectionsAsync(IReadOnlyList<Detection> detections, string cursor, long lastId, CancellationToken ct);

    protected abstract string HistogramSql(string where, SqlParameters p, TimeSpan interval);

    protected abstract DateTime BucketStart(DbDataReader reader, TimeSpan interval);

    protected static void AddParameters(DbCommand command, SqlParameters p)
    {
        foreach (var (name, value) in p.Values)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>
    /// A command over the events the search selects: <paramref name="sql"/> writes the statement around its WHERE
    /// clause (and may add parameters of its own); searches over a long window get two minutes.
    /// </summary>
    private DbCommand Command(DbConnection connection, EventSearch search, bool withCursor, Func<string, SqlParameters, string> sql)
    {
        var p = new SqlParameters();
        var where = Where(search, p, withCursor);
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Built from the query tree; every value is a parameter.
        command.CommandText = sql(where, p);
#pragma warning restore CA2100
        command.CommandTimeout = 120;
        AddParameters(command, p);
        return command;
    }

    private string Where(EventSearch search, SqlParameters p, bool withCursor)
    {
        var parts = new List<string>();
        if (!search.Scope.IsEverything)
        {
            var ids = search.Scope.Ids!;
            if (ids.Count == 0)
                return "1=0";
            parts.Add("e.establishment_id IN (" + string.Join(", ", ids.Select(id => p.Add(Dialect.EstablishmentValue(id)))) + ")");
        }
        if (search.From is { } from)
            parts.Add($"e.ts >= {p.Add(Dialect.TimeValue(from))}");
        if (search.To is { } to)
            parts.Add($"e.ts < {p.Add(Dialect.TimeValue(to))}");
        if (search.Query is { } query)
            parts.Add(EventSqlTranslator.Translate(query, Dialect, p));
        if (withCursor && search.Cursor is { } cursor)
        {
            var ts = p.Add(Dialect.TimeValue(cursor.Timestamp));
            parts.Add($"(e.ts < {ts} OR (e.ts = {ts} AND e.id < {p.Add(cursor.Id)}))");
        }
        return parts.Count == 0 ? "1=1" : string.Join(" AND ", parts);
    }

    public async Task<EventPage> SearchAsync(EventSearch search, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        var events = new List<StoredEvent>(search.Limit);
        await using (var command = Command(connection, search, withCursor: true,
            (where, _) => $"SELECT e.id, e.ts, e.establishment_id, e.doc FROM events e WHERE {where} ORDER BY e.ts DESC, e.id DESC LIMIT {search.Limit + 1}"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                events.Add(new StoredEvent(reader.GetInt64(0), ReadTime(reader, 1), ReadGuid(reader, 2), reader.GetString(3)));
        }
        EventCursor? next = null;
        if (events.Count > search.Limit)
        {
            events.RemoveAt(events.Count - 1);
            next = new EventCursor(events[^1].Timestamp, events[^1].Id);
        }
        long total;
        if (search.Cursor is null && events.Count < search.Limit)
        {
            total = events.Count;
        }
        else
        {
            await using var count = Command(connection, search, withCursor: false,
                (where, _) => $"SELECT COUNT(*) FROM (SELECT 1 FROM events e WHERE {where} LIMIT {EventPage.TotalLimit + 1}) c");
            total = Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        var exact = total <= EventPage.TotalLimit;
        return new EventPage(Math.Min(total, EventPage.TotalLimit), exact, events, next);
    }

    public async Task<IReadOnlyList<HistogramBucket>> HistogramAsync(EventSearch search, TimeSpan interval, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, search, withCursor: false, (where, p) => HistogramSql(where, p, interval));
        var buckets = new List<HistogramBucket>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            buckets.Add(new HistogramBucket(BucketStart(reader, interval), reader.GetInt64(1)));
        return buckets;
    }

    public async Task<IReadOnlyDictionary<Guid, long>> CountByEstablishmentAsync(EventSearch search, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, search, withCursor: false,
            (where, _) => $"SELECT e.establishment_id, COUNT(*) FROM events e WHERE {where} GROUP BY e.establishment_id");
        var counts = new Dictionary<Guid, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts[ReadGuid(reader, 0)] = reader.GetInt64(1);
        return counts;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterId, int max, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT e.id, e.ts, e.establishment_id, e.doc FROM events e WHERE e.id > @after ORDER BY e.id LIMIT {max}";
        AddParameters(command, new SqlParameters { Values = { ("@after", afterId) } });
        var list = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new StoredEvent(reader.GetInt64(0), ReadTime(reader, 1), ReadGuid(reader, 2), reader.GetString(3)));
        return list;
    }

    public async Task<StoredEvent?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT e.id, e.ts, e.establishment_id, e.doc FROM events e WHERE e.id = @id";
        AddParameters(command, new SqlParameters { Values = { ("@id", id) } });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StoredEvent(reader.GetInt64(0), ReadTime(reader, 1), ReadGuid(reader, 2), reader.GetString(3)) : null;
    }

    public virtual async Task<long> DeleteOlderThanAsync(Guid establishmentId, DateTime cutoff, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM events WHERE establishment_id = @e AND ts < @cutoff";
        command.CommandTimeout = 600;
        AddParameters(command, new SqlParameters { Values = { ("@e", Dialect.EstablishmentValue(establishmentId)), ("@cutoff", Dialect.TimeValue(cutoff)) } });
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<long> ReadCursorAsync(string name, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_id FROM event_cursors WHERE name = @n";
        AddParameters(command, new SqlParameters { Values = { ("@n", name) } });
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
