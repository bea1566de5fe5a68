using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Vigie.Core.Records;

namespace Vigie.Storage.Records;

/// <summary>
/// The SQLite <see cref="ICurrentResourceReader"/>: a few connections kept open, each with its statement prepared once,
/// lent to one read at a time. Reading in WAL mode never waits for the ledger's writer.
/// </summary>
public sealed class SqliteCurrentResourceReader(StoreLocation store) : ICurrentResourceReader, IDisposable
{
    private const int Kept = 16;

    private const string Columns = StoredRows.Columns;
    private const string PatientWhere = " FROM fhir_resources WHERE patient_id = $patient AND resource_type = $type AND deleted = 0";

    /// <summary>
    /// How many current resources of a type a patient has: the same total as the EF query of FhirSearch, counted in
    /// index ix_fhir_resources_patient_current without reading the table.
    /// </summary>
    public const string PatientCountSql = "SELECT count(*)" + PatientWhere;

    /// <summary>
    /// One page of them, newest first: the same rows and order as FhirSearch, in the order of that index. The limit and
    /// offset are expressions (<c>$take + 0</c>), not bare parameters: SQLite plans a bare parameter in LIMIT or OFFSET
    /// from its bound value, so binding it again (every search) expired the prepared statement and every search parsed
    /// and planned the query anew (sqlite3Reprepare under sqlite3_step, perf).
    /// </summary>
    public const string PatientPageSql = "SELECT id, " + Columns + PatientWhere + " ORDER BY last_updated DESC, id DESC LIMIT $take + 0 OFFSET $skip + 0";

    // A queue, not a bag: a bag's Count takes every per-thread lock, once per read.
    private readonly ConcurrentQueue<Lookup> _idle = new();

    public Task<StoredResource?> FindAsync(string type, string id, CancellationToken ct) =>
        Task.FromResult(WithLookup(lookup => lookup.Find(type, id), ct));

    public Task<(List<StoredResource> Rows, int? Total)> PatientPageAsync(string type, string patient, int offset, int count, bool countAll, CancellationToken ct) =>
        Task.FromResult(WithLookup(lookup => lookup.PatientPage(type, patient, offset, count, countAll), ct));

    private T WithLookup<T>(Func<Lookup, T> read, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!_idle.TryDequeue(out var lookup))
            lookup = new Lookup(store.ConnectionString);
        T result;
        try
        {
            result = read(lookup);
        }
        catch
        {
            lookup.Dispose();
            throw;
        }
        if (_idle.Count < Kept)
            _idle.Enqueue(lookup);
        else
            lookup.Dispose();
        return result;
    }

    public void Dispose()
    {
        while (_idle.TryDequeue(out var lookup))
            lookup.Dispose();
    }

    private sealed class Lookup : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _type;
        private readonly SqliteParameter _id;
        private SqliteCommand? _count;
        private SqliteCommand? _page;

        public Lookup(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            using (var pragma = _connection.CreateCommand())
            {
                // Not memory-mapped: in WAL mode SQLite unmaps the whole file from a connection whenever another
                // connection has committed since its last read, and maps it again at the next read. The ledger commits
                // many times a second, so every read paid a munmap (with its TLB shootdowns) and the page faults of a
                // fresh mapping: 5,400 against 7,100 audited reads/s under perf (bench/fhir/run.sh, docs/BENCHMARKS.md).
                pragma.CommandText = SqliteWaits.BusyTimeoutPragma;
                pragma.ExecuteNonQuery();
            }
            _command = _connection.CreateCommand();
            _command.CommandText = "SELECT " + Columns + " FROM fhir_resources WHERE resource_type = $type AND id = $id";
            _type = _command.Parameters.Add("$type", SqliteType.Text);
            _id = _command.Parameters.Add("$id", SqliteType.Text);
            _command.Prepare();
        }

        public StoredResource? Find(string type, string id)
        {
            _type.Value = type;
            _id.Value = id;
            using var r = _command.ExecuteReader(CommandBehavior.SingleRow);
            return r.Read() ? StoredRows.Read(r, type, id, 0) : null;
        }

        public (List<StoredResource> Rows, int? Total) PatientPage(string type, string patient, int offset, int count, bool countAll)
        {
            int? total = null;
            if (countAll)
            {
                _count ??= Prepare(PatientCountSql);
                _count.Parameters["$type"].Value = type;
                _count.Parameters["$patient"].Value = patient;
                total = Convert.ToInt32(_count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
            var rows = new List<StoredResource>(Math.Clamp(count, 0, 64));
            if (count <= 0)
                return (rows, total);
            _page ??= Prepare(PatientPageSql, paged: true);
            _page.Parameters["$type"].Value = type;
            _page.Parameters["$patient"].Value = patient;
            _page.Parameters["$take"].Value = count;
            _page.Parameters["$skip"].Value = Math.Max(offset, 0);
            using var r = _page.ExecuteReader();
            while (r.Read())
                rows.Add(StoredRows.Read(r, type, r.GetString(0), 1));
            return (rows, total);
        }

        private SqliteCommand Prepare(string sql, bool paged = false)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add("$type", SqliteType.Text);
            command.Parameters.Add("$patient", SqliteType.Text);
            if (paged)
            {
                command.Parameters.Add("$take", SqliteType.Integer);
                command.Parameters.Add("$skip", SqliteType.Integer);
            }
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            _count?.Dispose();
            _page?.Dispose();
            _command.Dispose();
            _connection.Dispose();
        }
    }
}
