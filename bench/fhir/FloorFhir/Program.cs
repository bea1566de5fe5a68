// The floor of bench/fhir/floor.sh: GET /fhir/Patient/{id} and GET /fhir/Observation?patient=…&_count=N answered
// from SQLite rows encrypted with AES-256-GCM, each request's ledger entry (Vigie's columns and indexes) chained by
// SHA-256 and committed before the answer (or only queued, or not written). Nothing else: no token, no decision, no
// privacy monitoring, no detection, no outbox. The resources are those Vigie answered (captured by floor.sh): the
// patient, the page of Observations, and as many more Observations of the patient as the page's total says.
// Where a choice was open, the floor takes the cheaper one: it reads only the columns a decision would need, keeps
// the chain's head in memory, leaves checkpoints of the write-ahead log to another connection, and, with entries
// only queued, commits at most every 10 ms, since no answer waits for it.
// Usage: FloorFhir PATIENT_FILE SEARCH_FILE URL DATA_DIR committed|queued|none [same|own]
//   own: the ledger in a database file of its own, so that its commits never reset the readers' page caches, and the
//   resources' file memory-mapped by the readers (a commit of another connection would unmap it).
using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

if (args.Length is < 5 or > 6 || args[4] is not ("committed" or "queued" or "none") || args.ElementAtOrDefault(5) is not (null or "same" or "own"))
{
    Console.Error.WriteLine("usage: FloorFhir PATIENT_FILE SEARCH_FILE URL DATA_DIR committed|queued|none [same|own]");
    return 2;
}
// As Vigie's server: SQLite calls block their thread.
ThreadPool.GetMinThreads(out var workers, out var completion);
ThreadPool.SetMinThreads(Math.Max(workers, 32), completion);
var own = args.ElementAtOrDefault(5) == "own";
string Store(string name) => new SqliteConnectionStringBuilder { DataSource = Path.Combine(args[3], name), Pooling = false }.ToString();
var records = Records.Create(Store("floor.db"), await File.ReadAllBytesAsync(args[0]), await File.ReadAllBytesAsync(args[1]), own);
var ledgerStore = own ? Store("ledger.db") : Store("floor.db");
if (own)
    Records.CreateLedger(ledgerStore);
using var ledger = new Ledger(ledgerStore, args[4]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/fhir/Patient/{id}", async (string id, HttpContext http) =>
{
    var found = records.Read("Patient", id);
    await ledger.AppendAsync(http, "read", "Patient", id, found?.PatientId, null, found is null ? 404 : 200);
    if (found is null)
        http.Response.StatusCode = 404;
    else
        await Write(http, found.Json);
});
app.MapGet("/fhir/Observation", async (string patient, int? _count, HttpContext http) =>
{
    var body = records.Search($"{http.Request.Scheme}://{http.Request.Host}/fhir", "Observation", patient, _count ?? 10, http.Request.QueryString.Value ?? "");
    await ledger.AppendAsync(http, "search", "Observation", null, patient, "patient", 200);
    await Write(http, body.WrittenMemory);
});
await app.RunAsync(args[2]);
return 0;

static Task Write(HttpContext http, ReadOnlyMemory<byte> body)
{
    http.Response.ContentType = "application/fhir+json; charset=utf-8";
    http.Response.ContentLength = body.Length;
    return http.Response.Body.WriteAsync(body).AsTask();
}

/// <summary>The encrypted resources and the connections that read them, one read at a time each.</summary>
internal sealed class Records
{
    private const int TagSize = 16;
    private const int NonceSize = 12;
    // What a decision needs (the patient, the labels) and what the answer is made of; Vigie reads four columns more.
    private const string Columns = "version_id, patient_id, confidentiality, sensitivity, content";
    private const string PatientWhere = " FROM fhir_resources WHERE patient_id = $patient AND resource_type = $type AND deleted = 0";

    private const string LedgerSchema = """
        CREATE TABLE audit_ledger (seq INTEGER NOT NULL PRIMARY KEY, time_us INTEGER NOT NULL, request_id TEXT NULL,
            client_address TEXT NULL, user_id TEXT NULL, user_name TEXT NULL, user_roles TEXT NULL, user_establishment TEXT NULL,
            user_profession TEXT NULL, patient_id TEXT NULL, patient_ref TEXT NULL, patient_establishment TEXT NULL,
            action TEXT NOT NULL, resource_type TEXT NULL, resource_id TEXT NULL, query TEXT NULL, status INTEGER NOT NULL,
            decision TEXT NOT NULL, reasons TEXT NULL, purpose TEXT NULL, break_glass INTEGER NOT NULL, justification TEXT NULL,
            care_relationship TEXT NULL, privacy_flags INTEGER NOT NULL, policy_version TEXT NULL, prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL, forwarded INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX ix_audit_ledger_patient ON audit_ledger(patient_id, seq);
        CREATE INDEX ix_audit_ledger_unforwarded ON audit_ledger(seq) WHERE NOT forwarded;
        """;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static AesGcm? t_cipher;

    private readonly ConcurrentQueue<Lookup> _idle = new();
    private readonly string _connectionString;
    private readonly byte[] _key;
    private readonly bool _mapped;

    private Records(string connectionString, byte[] key, bool mapped)
    {
        _connectionString = connectionString;
        _key = key;
        _mapped = mapped;
    }

    public sealed record Found(string? PatientId, byte[] Json);

    public static void CreateLedger(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" + LedgerSchema);
    }

    public static Records Create(string connectionString, byte[] patient, byte[] search, bool mapped)
    {
        var records = new Records(connectionString, RandomNumberGenerator.GetBytes(32), mapped);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE fhir_resources (resource_type TEXT NOT NULL, id TEXT NOT NULL, version_id INTEGER NOT NULL,
                last_updated TEXT NOT NULL, deleted INTEGER NOT NULL, patient_id TEXT NULL, establishment_id TEXT NULL,
                confidentiality TEXT NOT NULL, sensitivity TEXT NULL, key_id INTEGER NOT NULL, content BLOB NULL,
                PRIMARY KEY (resource_type, id));
            CREATE INDEX ix_fhir_resources_patient_current ON fhir_resources(patient_id, resource_type, deleted, last_updated, id);
            CREATE INDEX ix_fhir_resources_updated ON fhir_resources(resource_type, last_updated);
            """ + LedgerSchema);
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO fhir_resources VALUES ($type, $id, 1, $updated, 0, $patient, $establishment, 'N', NULL, 1, $content)";
        foreach (var name in new[] { "$type", "$id", "$updated", "$patient", "$establishment", "$content" })
            insert.Parameters.Add(new SqliteParameter(name, null));
        void Insert(string type, string id, DateTime updated, string patientId, byte[] json)
        {
            insert.Parameters["$type"].Value = type;
            insert.Parameters["$id"].Value = id;
            insert.Parameters["$updated"].Value = updated.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            insert.Parameters["$patient"].Value = patientId;
            insert.Parameters["$establishment"].Value = "6f1c0c1e-5b7e-4a43-9d7e-0d1f6c1b2a3c";
            insert.Parameters["$content"].Value = records.Encrypt(json, Associated(type, id, 1));
            insert.ExecuteNonQuery();
        }
        using var patientDocument = JsonDocument.Parse(patient);
        var patientId = patientDocument.RootElement.GetProperty("id").GetString()!;
        Insert("Patient", patientId, DateTime.UtcNow, patientId, patient);
        using var searchDocument = JsonDocument.Parse(search);
        var page = searchDocument.RootElement.TryGetProperty("entry", out var entries) ? entries.EnumerateArray().Select(e => e.GetProperty("resource")).ToList() : [];
        if (page.Count == 0)
            throw new ArgumentException("the search answer holds no Observation to serve");
        var total = searchDocument.RootElement.TryGetProperty("total", out var t) ? t.GetInt32() : page.Count;
        var newest = DateTime.UtcNow;
        for (var i = 0; i < page.Count; i++)
            Insert("Observation", page[i].GetProperty("id").GetString()!, newest.AddSeconds(-i), patientId, Encoding.UTF8.GetBytes(page[i].GetRawText()));
        // The rest of the patient's Observations, older than the page; then other patients' (the demo's store holds
        // tens of thousands of resources).
        for (var i = page.Count; i < total; i++)
            Insert("Observation", Guid.NewGuid().ToString(), newest.AddDays(-1).AddSeconds(-i), patientId, Encoding.UTF8.GetBytes(page[i % page.Count].GetRawText()));
        for (var i = 0; i < 30_000; i++)
            Insert("Observation", Guid.NewGuid().ToString(), newest.AddMinutes(-i), $"other-{i % 150}", Encoding.UTF8.GetBytes(page[i % page.Count].GetRawText()));
        tx.Commit();
        return records;
    }

    private static string Associated(string type, string id, int version) => $"{type}/{id}/{version.ToString(CultureInfo.InvariantCulture)}";

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private byte[] Encrypt(byte[] plain, string associated)
    {
        var blob = new byte[NonceSize + TagSize + plain.Length];
        RandomNumberGenerator.Fill(blob.AsSpan(0, NonceSize));
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(blob.AsSpan(0, NonceSize), plain, blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(associated));
        return blob;
    }

    private byte[] Decrypt(byte[] blob, string associated)
    {
        var plain = new byte[blob.Length - NonceSize - TagSize];
        (t_cipher ??= new AesGcm(_key, TagSize)).Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plain,
            Encoding.UTF8.GetBytes(associated));
        return plain;
    }

    public Found? Read(string type, string id) => With(lookup =>
    {
        lookup.Type.Value = type;
        lookup.Id.Value = id;
        using var r = lookup.Find.ExecuteReader(System.Data.CommandBehavior.SingleRow);
        if (!r.Read())
            return null;
        var row = Row.Of(r, id, 0);
        return new Found(row.PatientId, Decrypt(row.Content, Associated(type, id, row.Version)));
    });

    public ArrayBufferWriter<byte> Search(string baseUrl, string type, string patient, int count, string query) => With(lookup =>
    {
        lookup.Count.Parameters["$type"].Value = type;
        lookup.Count.Parameters["$patient"].Value = patient;
        var total = Convert.ToInt32(lookup.Count.ExecuteScalar(), CultureInfo.InvariantCulture);
        lookup.Page.Parameters["$type"].Value = type;
        lookup.Page.Parameters["$patient"].Value = patient;
        lookup.Page.Parameters["$take"].Value = count;
        lookup.Page.Parameters["$skip"].Value = 0;
        var rows = new List<(Row Row, byte[] Json)>(count);
        using (var r = lookup.Page.ExecuteReader())
        {
            while (r.Read())
            {
                var row = Row.Of(r, r.GetString(0), 1);
                rows.Add((row, Decrypt(row.Content, Associated(type, row.Id, row.Version))));
            }
        }
        var buffer = new ArrayBufferWriter<byte>(rows.Sum(x => x.Json.Length + 256) + 1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", "searchset");
            w.WriteNumber("total", total);
            w.WriteStartArray("link");
            w.WriteStartObject();
            w.WriteString("relation", "self");
            w.WriteString("url", $"{baseUrl}/{type}{query}&_offset=0");
            w.WriteEndObject();
            if (total > count)
            {
                w.WriteStartObject();
                w.WriteString("relation", "next");
                w.WriteString("url", $"{baseUrl}/{type}{query}&_offset={count.ToString(CultureInfo.InvariantCulture)}");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("entry");
            foreach (var (row, json) in rows)
            {
                w.WriteStartObject();
                w.WriteString("fullUrl", $"{baseUrl}/{type}/{row.Id}");
                w.WritePropertyName("resource");
                w.WriteRawValue(json, skipInputValidation: true);
                w.WriteStartObject("search");
                w.WriteString("mode", "match");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer;
    });

    private T With<T>(Func<Lookup, T> read)
    {
        if (!_idle.TryDequeue(out var lookup))
            lookup = new Lookup(_connectionString, _mapped);
        var result = read(lookup);
        _idle.Enqueue(lookup);
        return result;
    }

    /// <summary>The row's <see cref="Columns"/>, from <paramref name="first"/> on.</summary>
    private sealed record Row(string Id, int Version, string? PatientId, string Confidentiality, string? Sensitivity, byte[] Content)
    {
        public static Row Of(SqliteDataReader r, string id, int first) => new(id, r.GetInt32(first), r.IsDBNull(first + 1) ? null : r.GetString(first + 1),
            r.GetString(first + 2), r.IsDBNull(first + 3) ? null : r.GetString(first + 3), r.GetFieldValue<byte[]>(first + 4));
    }

    private sealed class Lookup
    {
        public readonly SqliteCommand Find;
        public readonly SqliteParameter Type;
        public readonly SqliteParameter Id;
        public readonly SqliteCommand Count;
        public readonly SqliteCommand Page;

        public Lookup(string connectionString, bool mapped)
        {
            var connection = new SqliteConnection(connectionString);
            connection.Open();
            if (mapped)
                Execute(connection, "PRAGMA mmap_size=1073741824");
            Find = connection.CreateCommand();
            Find.CommandText = "SELECT " + Columns + " FROM fhir_resources WHERE resource_type = $type AND id = $id";
            Type = Find.Parameters.Add("$type", SqliteType.Text);
            Id = Find.Parameters.Add("$id", SqliteType.Text);
            Find.Prepare();
            Count = connection.CreateCommand();
            Count.CommandText = "SELECT count(*)" + PatientWhere;
            Count.Parameters.Add("$type", SqliteType.Text);
            Count.Parameters.Add("$patient", SqliteType.Text);
            Count.Prepare();
            Page = connection.CreateCommand();
            Page.CommandText = "SELECT id, " + Columns + PatientWhere + " ORDER BY last_updated DESC, id DESC LIMIT $take + 0 OFFSET $skip + 0";
            Page.Parameters.Add("$type", SqliteType.Text);
            Page.Parameters.Add("$patient", SqliteType.Text);
            Page.Parameters.Add("$take", SqliteType.Integer);
            Page.Parameters.Add("$skip", SqliteType.Integer);
            Page.Prepare();
        }
    }
}

/// <summary>
/// One writer committing whatever entries wait, in one transaction, chained by SHA-256; another connection
/// checkpoints the write-ahead log every second, so that no commit copies pages while answers wait for it.
/// </summary>
internal sealed class Ledger : IDisposable
{
    private const int Fields = 28;
    private static readonly TimeSpan QueuedCommitInterval = TimeSpan.FromMilliseconds(10);

    private readonly Channel<(object?[] Values, TaskCompletionSource? Done)> _queue = Channel.CreateUnbounded<(object?[], TaskCompletionSource?)>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly string _mode;
    private readonly SqliteConnection _connection;
    private readonly SqliteConnection _checkpoints;
    private readonly Timer _checkpoint;
    private readonly Task _writer;

    public Ledger(string connectionString, string mode)
    {
        _mode = mode;
        _connection = Open(connectionString, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=100000;");
        _checkpoints = Open(connectionString, "PRAGMA busy_timeout=30000;");
        _checkpoint = new Timer(_ =>
        {
            if (!Monitor.TryEnter(_checkpoints))
                return;
            try
            {
                using var command = _checkpoints.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                command.ExecuteNonQuery();
            }
            finally
            {
                Monitor.Exit(_checkpoints);
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _writer = Task.Run(WriteAsync);
    }

    private static SqliteConnection Open(string connectionString, string pragmas)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = pragmas;
        pragma.ExecuteNonQuery();
        return connection;
    }

    public Task AppendAsync(HttpContext http, string action, string type, string? id, string? patient, string? query, int status)
    {
        if (_mode == "none")
            return Task.CompletedTask;
        object?[] values =
        [
            null, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, http.TraceIdentifier, http.Connection.RemoteIpAddress?.ToString(),
            "0b9a3c52-7d1e-4f5a-9c1b-2e3d4f5a6b7c", "dr.alaoui", "clinician", "CHU-RABAT", "physician", patient,
            "pseudo:3f7a9c0d2b4e6f8a1c3e5d7b9f0a2c4e6d8b0f1a3c5e7d9b1f3a5c7e9d0b2f4a", "CHU-RABAT", action, type, id, query, status, "permit",
            "active encounter at the user's establishment", "TREAT", false, null, "encounter", 0, "2026-11-01#care-relationship", null, null, false,
        ];
        var done = _mode == "committed" ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        _queue.Writer.TryWrite((values, done));
        return done?.Task ?? Task.CompletedTask;
    }

    private async Task WriteAsync()
    {
        try
        {
            await WriteAllAsync();
        }
        catch (Exception e)
        {
            Environment.FailFast($"the floor's ledger writer failed: {e}");
        }
    }

    private async Task WriteAllAsync()
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO audit_ledger VALUES (" + string.Join(", ", Enumerable.Range(0, Fields).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture))) + ")";
        for (var i = 0; i < Fields; i++)
            insert.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null));
        long seq = 0;
        var previous = new byte[32];
        var batch = new List<(object?[] Values, TaskCompletionSource? Done)>();
        var text = new byte[4096];
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (_queue.Reader.TryRead(out var item))
                batch.Add(item);
            using (var tx = _connection.BeginTransaction())
            {
                insert.Transaction = tx;
                foreach (var (values, _) in batch)
                {
                    values[0] = ++seq;
                    // The hashed form: the previous hash, then each field's text with its length before it.
                    previous.CopyTo(text, 0);
                    var length = previous.Length;
                    foreach (var v in values.AsSpan(0, 25))
                    {
                        var field = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
                        if (length + 4 + Encoding.UTF8.GetMaxByteCount(field.Length) > text.Length)
                            Array.Resize(ref text, 2 * (length + 4 + Encoding.UTF8.GetMaxByteCount(field.Length)));
                        var size = Encoding.UTF8.GetBytes(field, text.AsSpan(length + 4));
                        BitConverter.TryWriteBytes(text.AsSpan(length, 4), size);
                        length += 4 + size;
                    }
                    values[25] = previous;
                    previous = SHA256.HashData(text.AsSpan(0, length));
                    values[26] = previous;
                    for (var i = 0; i < Fields; i++)
                        insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                    insert.ExecuteNonQuery();
                }
                tx.Commit();
            }
            foreach (var (_, done) in batch)
                done?.SetResult();
            // Nobody waits for these commits: spaced out, they cost less per entry (queued searches, ledger in its own
            // file: 15,468 searches/s committing as often as possible, 19,647-20,441 at most every 10 ms; docs/BENCHMARKS.md).
            if (_mode == "queued")
                await Task.Delay(QueuedCommitInterval);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Wait(TimeSpan.FromSeconds(10));
        _checkpoint.Dispose();
        _checkpoints.Dispose();
        _connection.Dispose();
    }
}
