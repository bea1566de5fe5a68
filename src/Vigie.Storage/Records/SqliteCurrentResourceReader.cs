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

    // A queue, not a bag: a bag's Count takes every per-thread lock, once per read.
    private readonly ConcurrentQueue<Lookup> _idle = new();

    public Task<StoredResource?> FindAsync(string type, string id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!_idle.TryDequeue(out var lookup))
            lookup = new Lookup(store.ConnectionString);
        StoredResource? row;
        try
        {
            row = lookup.Find(type, id);
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
        return Task.FromResult(row);
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
            _command.CommandText = "SELECT version_id, last_updated, deleted, patient_id, establishment_id, confidentiality, sensitivity, key_id, content " +
                                   "FROM fhir_resources WHERE resource_type = $type AND id = $id";
            _type = _command.Parameters.Add("$type", SqliteType.Text);
            _id = _command.Parameters.Add("$id", SqliteType.Text);
            _command.Prepare();
        }

        public StoredResource? Find(string type, string id)
        {
            _type.Value = type;
            _id.Value = id;
            using var r = _command.ExecuteReader(CommandBehavior.SingleRow);
            if (!r.Read())
                return null;
            return new StoredResource
            {
                ResourceType = type,
                Id = id,
                VersionId = r.GetInt32(0),
                // Written by the EF model as UTC text; read back as UTC, as the model's converter does.
                LastUpdated = DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
                Deleted = r.GetBoolean(2),
                PatientId = r.IsDBNull(3) ? null : r.GetString(3),
                EstablishmentId = r.IsDBNull(4) ? null : r.GetGuid(4),
                Confidentiality = r.GetString(5),
                Sensitivity = r.IsDBNull(6) ? null : r.GetString(6),
                KeyId = r.GetInt32(7),
                Content = r.IsDBNull(8) ? null : r.GetFieldValue<byte[]>(8),
            };
        }

        public void Dispose()
        {
            _command.Dispose();
            _connection.Dispose();
        }
    }
}
