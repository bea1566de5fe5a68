using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Vigie.Core.Audit;

namespace Vigie.Storage.Records;

/// <summary>
/// The SQLite scan of the ledger through SQLite's own C API: each row's columns are copied straight from the page
/// cache into one reused buffer in the canonical layout (<see cref="LedgerCanonical"/>) and hashed, without a string,
/// array or handle per field. Measured on 1 M entries (2 cores, docs/BENCHMARKS.md): 82 k entries/s through ADO.NET
/// (a string per column); 160–200 k through SQLitePCL's safe handles, where taking and releasing the statement's
/// handle and SQLite's connection mutex on each of the 50 column calls of a row cost 36 % of the CPU. Hence a
/// connection opened without a mutex (each range has its own, used by one thread) and the column functions called
/// directly on the statement's pointer.
/// </summary>
public sealed class SqliteLedgerScanner(StoreLocation store) : ILedgerScanner
{
    /// <summary>Below this many entries one pass is quicker than starting several.</summary>
    public long ParallelThreshold { get; init; } = 200_000;

    /// <summary>How many ranges are verified at once (one per core, at most 8).</summary>
    public int Parts { get; init; } = Math.Min(Environment.ProcessorCount, 8);
    private const int ProgressEvery = 1 << 16;

    public async Task<LedgerScan> ScanAsync(IReadOnlyList<LedgerCheckpoint> checkpoints, IProgress<long>? progress, CancellationToken ct)
    {
        var (first, last) = Bounds();
        var parts = Parts;
        var done = new long[1];
        void Advance(long n)
        {
            var total = Interlocked.Add(ref done[0], n);
            progress?.Report(total);
        }
        if (last - first + 1 >= ParallelThreshold && parts > 1 && first == 1)
        {
            // Each core checks the links and hashes inside its own range of sequence numbers; the ranges are then
            // joined (each range's first link must be the previous range's last hash) and the checkpoints compared.
            // Any problem sends the verification back to the single ordered pass, which says exactly what it is.
            var size = (last - first + 1 + parts - 1) / parts;
            var ranges = Enumerable.Range(0, parts).Select(i => (From: first + i * size, To: Math.Min(last, first + (i + 1) * size - 1))).Where(r => r.From <= r.To).ToList();
            var marks = checkpoints.Select(c => c.Seq).ToHashSet();
            var results = await Task.WhenAll(ranges.Select(r => Task.Factory.StartNew(() => ScanRange(r.From, r.To, marks, Advance, ct), ct,
                TaskCreationOptions.LongRunning, TaskScheduler.Default)));
            var ok = results.All(r => r.Intact);
            for (var i = 1; ok && i < results.Length; i++)
                ok = results[i].FirstPrev.AsSpan().SequenceEqual(results[i - 1].LastHash);
            ok = ok && results[0].FirstPrev.AsSpan().SequenceEqual(LedgerCanonical.Genesis);
            if (ok)
            {
                var heads = results.SelectMany(r => r.Heads).ToDictionary(h => h.Key, h => h.Value);
                long lastGood = 0;
                var next = 0;
                foreach (var c in checkpoints)
                {
                    if (!heads.TryGetValue(c.Seq, out var head))
                        break;
                    if (!head.AsSpan().SequenceEqual(c.Hash))
                        return new LedgerScan(c.Seq, c.Seq + 1, head, false, c.Seq, lastGood, next);
                    lastGood = c.Seq;
                    next++;
                }
                return new LedgerScan(last, last + 1, results[^1].LastHash, false, 0, lastGood, next);
            }
            Interlocked.Exchange(ref done[0], 0);
        }
        return await Task.Run(() => Scan(checkpoints, Advance, ct), ct);
    }

    private (long First, long Last) Bounds()
    {
        using var connection = new SqliteConnection(store.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0), COUNT(*) FROM audit_ledger";
        using var r = cmd.ExecuteReader();
        r.Read();
        // Gaps make the ranges unequal to their counts: then only the ordered pass is used.
        return r.GetInt64(2) == r.GetInt64(1) - r.GetInt64(0) + 1 ? (r.GetInt64(0), r.GetInt64(1)) : (0, -1);
    }

    private sealed record RangeResult(bool Intact, byte[] FirstPrev, byte[] LastHash, Dictionary<long, byte[]> Heads);

    // Optimised at once: a scan lasts seconds, and its first ~100 ms in unoptimised code showed in the profile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RangeResult ScanRange(long from, long to, HashSet<long> marks, Action<long> advance, CancellationToken ct)
    {
        using var rows = new Rows(store, $"SELECT {LedgerVerifier.Columns} FROM audit_ledger WHERE seq BETWEEN {from} AND {to} ORDER BY seq", snapshot: false);
        using var sha = new RowHash();
        var prev = new byte[LedgerCanonical.HashSize];
        var stored = new byte[LedgerCanonical.HashSize];
        var running = new byte[LedgerCanonical.HashSize];
        var computed = new byte[LedgerCanonical.HashSize];
        byte[]? firstPrev = null;
        var heads = new Dictionary<long, byte[]>();
        var expected = from;
        while (rows.Step())
        {
            if (((expected - from + 1) & (ProgressEvery - 1)) == 0)
            {
                ct.ThrowIfCancellationRequested();
                advance(ProgressEvery);
            }
            // A range's first link is checked afterwards, against the end of the range before it.
            if (!RowHolds(rows, expected, firstPrev is null ? null : running, prev, stored, computed, sha))
                return new RangeResult(false, [], [], heads);
            firstPrev ??= prev.ToArray();
            (running, computed) = (computed, running);
            if (marks.Contains(expected))
                heads[expected] = running.ToArray();
            expected++;
        }
        advance((expected - from) & (ProgressEvery - 1));
        return new RangeResult(expected == to + 1, firstPrev ?? [], running, heads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private LedgerScan Scan(IReadOnlyList<LedgerCheckpoint> checkpoints, Action<long> advance, CancellationToken ct)
    {
        // The read transaction pins one snapshot: entries appended meanwhile are not half-seen.
        using var rows = new Rows(store, $"SELECT {LedgerVerifier.Columns} FROM audit_ledger ORDER BY seq", snapshot: true);
        using var sha = new RowHash();
        var prev = new byte[LedgerCanonical.HashSize];
        var stored = new byte[LedgerCanonical.HashSize];
        var running = LedgerCanonical.Genesis.ToArray();
        var computed = new byte[LedgerCanonical.HashSize];
        long expected = 1, count = 0, lastGood = 0;
        var next = 0;
        while (rows.Step())
        {
            if (((count + 1) & (ProgressEvery - 1)) == 0)
            {
                ct.ThrowIfCancellationRequested();
                advance(ProgressEvery);
            }
            if (!RowHolds(rows, expected, running, prev, stored, computed, sha))
                return new LedgerScan(count, expected, running, true, 0, lastGood, next);
            var seq = expected;
            (running, computed) = (computed, running);
            count++;
            expected++;
            if (next < checkpoints.Count && checkpoints[next].Seq == seq)
            {
                if (!checkpoints[next].Hash.AsSpan().SequenceEqual(running))
                    return new LedgerScan(count, expected, running, false, seq, lastGood, next);
                lastGood = seq;
                next++;
            }
        }
        advance(count & (ProgressEvery - 1));
        return new LedgerScan(count, expected, running, false, 0, lastGood, next);
    }

    /// <summary>
    /// Whether the current row is entry <paramref name="expected"/>, links to <paramref name="running"/> (null when the
    /// previous hash is not known yet) and holds the hash of its own content, recomputed into <paramref name="computed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RowHolds(Rows rows, long expected, byte[]? running, byte[] prev, byte[] stored, byte[] computed, RowHash sha)
    {
        if (rows.Int64(0) != expected || !rows.Hash(25, prev) || (running is not null && !prev.AsSpan().SequenceEqual(running)))
            return false;
        sha.Compute(rows.Canonical(prev), computed);
        return rows.Hash(26, stored) && stored.AsSpan().SequenceEqual(computed);
    }

    /// <summary>
    /// A forward-only statement over the ledger on a connection of its own, opened without SQLite's connection mutex
    /// (one thread uses it) and memory-mapped (115,000 read system calls fewer per million entries, measured with strace).
    /// </summary>
    private sealed class Rows : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _stmt;
        private readonly IntPtr _handle;
        private byte[] _buffer = new byte[4096];
        private int _length;

        public Rows(StoreLocation store, string sql, bool snapshot)
        {
            var file = new SqliteConnectionStringBuilder(store.ConnectionString).DataSource;
            var rc = raw.sqlite3_open_v2(file, out _db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
            if (rc != raw.SQLITE_OK)
                throw new InvalidOperationException($"cannot open the ledger in {file}: {raw.sqlite3_errstr(rc).utf8_to_string()}");
            Execute(SqliteWaits.BusyTimeoutPragma + " PRAGMA mmap_size = 68719476736");
            if (snapshot)
                Execute("BEGIN; SELECT 1 FROM audit_ledger LIMIT 1");
            rc = raw.sqlite3_prepare_v2(_db, sql, out _stmt);
            if (rc != raw.SQLITE_OK)
                throw new InvalidOperationException($"cannot read the ledger: {raw.sqlite3_errmsg(_db).utf8_to_string()}");
            _handle = _stmt.DangerousGetHandle();
        }

        private void Execute(string sql)
        {
            var rc = raw.sqlite3_exec(_db, sql, null, null, out var error);
            if (rc != raw.SQLITE_OK)
                throw new InvalidOperationException($"cannot read the ledger: {error}");
        }

        public bool Step()
        {
            var rc = Native.sqlite3_step(_handle);
            if (rc == raw.SQLITE_ROW)
                return true;
            if (rc == raw.SQLITE_DONE)
                return false;
            throw new InvalidOperationException($"cannot read the ledger: {raw.sqlite3_errmsg(_db).utf8_to_string()}");
        }

        public long Int64(int column) => Native.sqlite3_column_int64(_handle, column);

        /// <summary>Copies a 32-byte hash column into <paramref name="into"/>; false when it is not 32 bytes.</summary>
        public bool Hash(int column, byte[] into)
        {
            var value = Native.sqlite3_column_value(_handle, column);
            var p = Native.sqlite3_value_blob(value);
            if (Native.sqlite3_value_bytes(value) != LedgerCanonical.HashSize || p == IntPtr.Zero)
                return false;
            Marshal.Copy(p, into, 0, LedgerCanonical.HashSize);
            return true;
        }

        /// <summary>The row's hashed bytes: <c>prev ‖ content</c>, as <see cref="LedgerCanonical.Write"/> lays them out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public ReadOnlySpan<byte> Canonical(byte[] prev)
        {
            _length = 0;
            Put(prev);
            Int64Le(Native.sqlite3_column_int64(_handle, 1));
            for (var i = 2; i <= 15; i++)
                Text(i);
            Int32Le(Native.sqlite3_column_int(_handle, 16));
            for (var i = 17; i <= 19; i++)
                Text(i);
            Ensure(1);
            _buffer[_length++] = Native.sqlite3_column_int(_handle, 20) != 0 ? (byte)1 : (byte)0;
            Text(21);
            Text(22);
            Int32Le(Native.sqlite3_column_int(_handle, 23));
            Text(24);
            return _buffer.AsSpan(0, _length);
        }

        private void Ensure(int more)
        {
            if (_length + more > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(_length + more, _buffer.Length * 2));
        }

        private void Put(byte[] bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer, _length);
            _length += bytes.Length;
        }

        private void Int64Le(long value)
        {
            Ensure(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
            _length += 8;
        }

        private void Int32Le(int value)
        {
            Ensure(4);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
            _length += 4;
        }

        /// <summary>A text column as <see cref="LedgerCanonical"/> writes it: its UTF-8 length (−1 when NULL) and bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Text(int column)
        {
            // The column's value once, then its pointer and length from it: each sqlite3_column_* call looks the column
            // up and checks for a failed allocation (columnMem, columnMallocFailure: 8.6 % of the scan's CPU with two
            // column calls per text column). The pointer first, then the length: SQLite's documented order for a value
            // read as a blob. A null pointer is either NULL or empty text; only then is the type asked.
            var value = Native.sqlite3_column_value(_handle, column);
            var p = Native.sqlite3_value_blob(value);
            if (p == IntPtr.Zero)
            {
                Int32Le(Native.sqlite3_value_type(value) == raw.SQLITE_NULL ? -1 : 0);
                return;
            }
            var n = Native.sqlite3_value_bytes(value);
            Int32Le(n);
            Ensure(n);
            Marshal.Copy(p, _buffer, _length, n);
            _length += n;
        }

        public void Dispose()
        {
            _stmt.Dispose();
            _db.Dispose();
        }
    }

    /// <summary>
    /// SQLite's column accessors on the raw statement pointer. They only read the current row (no callback into .NET,
    /// no lock on this mutex-free connection), hence no GC transition.
    /// </summary>
    private static class Native
    {
        private const string Library = "e_sqlite3";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_step(IntPtr stmt);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern long sqlite3_column_int64(IntPtr stmt, int column);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int sqlite3_column_int(IntPtr stmt, int column);

        // The column's value as SQLite keeps it for the current row. "Unprotected": usable only by the thread that
        // owns the connection, which is the case here (one thread per mutex-free connection).
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern IntPtr sqlite3_column_value(IntPtr stmt, int column);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern IntPtr sqlite3_value_blob(IntPtr value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int sqlite3_value_bytes(IntPtr value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int sqlite3_value_type(IntPtr value);
    }

    /// <summary>
    /// SHA-256 of one row. Through OpenSSL's SHA256_Init/Update/Final on a context of our own when libcrypto 3 offers
    /// them: .NET's IncrementalHash goes through EVP with an error-queue clear and a transition into native code on
    /// each of its three calls per row (ERR_clear_error, CRYPTO_free and the EVP wrappers took 7 % of the scan's CPU,
    /// perf on 2 M entries). Otherwise, and if the direct digest ever disagrees with .NET's on a known input,
    /// IncrementalHash as before.
    /// </summary>
    private sealed class RowHash : IDisposable
    {
        private static readonly bool Direct = DirectWorks();
        private readonly IncrementalHash? _managed;
        private readonly IntPtr _context;

        public RowHash()
        {
            if (Direct)
                _context = Marshal.AllocHGlobal(Crypto.ContextSize);
            else
                _managed = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        public void Compute(ReadOnlySpan<byte> data, Span<byte> into)
        {
            if (_managed is not null)
            {
                _managed.AppendData(data);
                _managed.GetHashAndReset(into);
                return;
            }
            if (into.Length < LedgerCanonical.HashSize
                || Crypto.SHA256_Init(_context) != 1
                || Crypto.SHA256_Update(_context, ref MemoryMarshal.GetReference(data), (nuint)data.Length) != 1
                || Crypto.SHA256_Final(ref MemoryMarshal.GetReference(into), _context) != 1)
                throw new CryptographicException("SHA-256 failed");
        }

        private static bool DirectWorks()
        {
            try
            {
                var input = new byte[300];
                for (var i = 0; i < input.Length; i++)
                    input[i] = (byte)(i * 7);
                var context = Marshal.AllocHGlobal(Crypto.ContextSize);
                try
                {
                    var digest = new byte[LedgerCanonical.HashSize];
                    return Crypto.SHA256_Init(context) == 1
                        && Crypto.SHA256_Update(context, ref input[0], (nuint)input.Length) == 1
                        && Crypto.SHA256_Final(ref digest[0], context) == 1
                        && digest.AsSpan().SequenceEqual(SHA256.HashData(input));
                }
                finally
                {
                    Marshal.FreeHGlobal(context);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            _managed?.Dispose();
            if (_context != IntPtr.Zero)
                Marshal.FreeHGlobal(_context);
        }
    }

    /// <summary>OpenSSL 3's SHA-256 functions on a caller's context; a row's hash takes well under a microsecond.</summary>
    private static class Crypto
    {
        private const string Library = "libcrypto.so.3";

        /// <summary>sizeof(SHA256_CTX) is 112 bytes; room to spare.</summary>
        public const int ContextSize = 256;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int SHA256_Init(IntPtr context);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int SHA256_Update(IntPtr context, ref byte data, nuint length);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
        public static extern int SHA256_Final(ref byte digest, IntPtr context);
    }
}
