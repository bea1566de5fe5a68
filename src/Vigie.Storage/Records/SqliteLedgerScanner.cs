using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Vigie.Core.Audit;

namespace Vigie.Storage.Records;

/// <summary>
/// The SQLite scan of the ledger through SQLite's own API: column values are read as spans of the page cache and
/// fed to SHA-256 without a string or array per field. Measured on 1 M entries (2 cores): 82 k entries/s through
/// ADO.NET (a string per column), which this path exists to remove; see docs/BENCHMARKS.md for its figure.
/// </summary>
public sealed class SqliteLedgerScanner(StoreLocation store) : ILedgerScanner
{
    /// <summary>Below this many entries one pass is quicker than starting several.</summary>
    private const long ParallelThreshold = 200_000;

    public async Task<LedgerScan> ScanAsync(IReadOnlyList<LedgerCheckpoint> checkpoints, CancellationToken ct)
    {
        var (first, last) = Bounds();
        var parts = Math.Min(Environment.ProcessorCount, 8);
        if (last - first + 1 >= ParallelThreshold && parts > 1 && first == 1)
        {
            // Each core checks the links and hashes inside its own range of sequence numbers; the ranges are then
            // joined (each range's first link must be the previous range's last hash) and the checkpoints compared.
            // Any problem sends the verification back to the single ordered pass, which says exactly what it is.
            var size = (last - first + 1 + parts - 1) / parts;
            var ranges = Enumerable.Range(0, parts).Select(i => (From: first + i * size, To: Math.Min(last, first + (i + 1) * size - 1))).Where(r => r.From <= r.To).ToList();
            var marks = checkpoints.Select(c => c.Seq).ToHashSet();
            var results = await Task.WhenAll(ranges.Select(r => Task.Run(() => ScanRange(r.From, r.To, marks, ct), ct)));
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
        }
        return await Task.Run(() => Scan(checkpoints, ct), ct);
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

    private static void MapFile(SqliteConnection connection)
    {
        // Reading the file through a memory map instead of one pread per 4 KiB page: 115,000 system calls (0.8 s) fewer
        // per million entries, measured with strace.
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA mmap_size = 68719476736";
        pragma.ExecuteNonQuery();
    }

    private RangeResult ScanRange(long from, long to, HashSet<long> marks, CancellationToken ct)
    {
        using var connection = new SqliteConnection(store.ConnectionString);
        connection.Open();
        MapFile(connection);
        var db = connection.Handle!;
        raw.sqlite3_prepare_v2(db, $"SELECT {LedgerVerifier.Columns} FROM audit_ledger WHERE seq BETWEEN {from} AND {to} ORDER BY seq", out sqlite3_stmt stmt);
        using (stmt)
        {
            var buffer = new byte[4096];
            byte[]? firstPrev = null;
            var running = new byte[32];
            var computed = new byte[32];
            var heads = new Dictionary<long, byte[]>();
            var expected = from;
            while (raw.sqlite3_step(stmt) == raw.SQLITE_ROW)
            {
                if ((expected & 0xFFFF) == 0)
                    ct.ThrowIfCancellationRequested();
                var prev = raw.sqlite3_column_blob(stmt, 25);
                if (raw.sqlite3_column_int64(stmt, 0) != expected || (firstPrev is not null && !prev.SequenceEqual(running)))
                    return new RangeResult(false, [], [], heads);
                firstPrev ??= prev.ToArray();
                var length = Canonical(stmt, ref buffer, prev);
                SHA256.HashData(buffer.AsSpan(0, length), computed);
                if (!raw.sqlite3_column_blob(stmt, 26).SequenceEqual(computed))
                    return new RangeResult(false, [], [], heads);
                (running, computed) = (computed, running);
                if (marks.Contains(expected))
                    heads[expected] = running.ToArray();
                expected++;
            }
            return new RangeResult(expected == to + 1, firstPrev ?? [], running, heads);
        }
    }

    private static int Canonical(sqlite3_stmt stmt, ref byte[] buffer, ReadOnlySpan<byte> prev)
    {
        var length = 0;
        Put(ref buffer, ref length, prev);
        Int64(ref buffer, ref length, raw.sqlite3_column_int64(stmt, 1));
        for (var i = 2; i <= 15; i++)
            Text(ref buffer, ref length, stmt, i);
        Int32(ref buffer, ref length, raw.sqlite3_column_int(stmt, 16));
        for (var i = 17; i <= 19; i++)
            Text(ref buffer, ref length, stmt, i);
        Ensure(ref buffer, length + 1);
        buffer[length++] = raw.sqlite3_column_int(stmt, 20) != 0 ? (byte)1 : (byte)0;
        Text(ref buffer, ref length, stmt, 21);
        Text(ref buffer, ref length, stmt, 22);
        Int32(ref buffer, ref length, raw.sqlite3_column_int(stmt, 23));
        Text(ref buffer, ref length, stmt, 24);
        return length;
    }

    private LedgerScan Scan(IReadOnlyList<LedgerCheckpoint> checkpoints, CancellationToken ct)
    {
        using var connection = new SqliteConnection(store.ConnectionString);
        connection.Open();
        MapFile(connection);
        using var tx = connection.BeginTransaction(deferred: true);
        // The read transaction pins one snapshot: entries appended meanwhile are not half-seen.
        using (var begin = connection.CreateCommand())
        {
            begin.Transaction = tx;
            begin.CommandText = "SELECT 1 FROM audit_ledger LIMIT 1";
            begin.ExecuteScalar();
        }
        var db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, $"SELECT {LedgerVerifier.Columns} FROM audit_ledger ORDER BY seq", out sqlite3_stmt stmt);
        if (rc != raw.SQLITE_OK)
            throw new InvalidOperationException($"cannot read the ledger: {raw.sqlite3_errmsg(db).utf8_to_string()}");
        using (stmt)
        {
            var buffer = new byte[4096];
            var running = LedgerCanonical.Genesis.ToArray();
            var computed = new byte[32];
            long expected = 1, count = 0, lastGood = 0;
            var next = 0;
            while (raw.sqlite3_step(stmt) == raw.SQLITE_ROW)
            {
                if ((count & 0xFFFF) == 0)
                    ct.ThrowIfCancellationRequested();
                var seq = raw.sqlite3_column_int64(stmt, 0);
                var prev = raw.sqlite3_column_blob(stmt, 25);
                if (seq != expected || !prev.SequenceEqual(running))
                    return new LedgerScan(count, expected, running, true, 0, lastGood, next);
                var length = Canonical(stmt, ref buffer, prev);
                SHA256.HashData(buffer.AsSpan(0, length), computed);
                if (!raw.sqlite3_column_blob(stmt, 26).SequenceEqual(computed))
                    return new LedgerScan(count, expected, running, true, 0, lastGood, next);
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
            return new LedgerScan(count, expected, running, false, 0, lastGood, next);
        }
    }

    private static void Ensure(ref byte[] buffer, int size)
    {
        if (size > buffer.Length)
            Array.Resize(ref buffer, Math.Max(size, buffer.Length * 2));
    }

    private static void Put(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        Ensure(ref buffer, length + bytes.Length);
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    private static void Int64(ref byte[] buffer, ref int length, long value)
    {
        Ensure(ref buffer, length + 8);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(length), value);
        length += 8;
    }

    private static void Int32(ref byte[] buffer, ref int length, int value)
    {
        Ensure(ref buffer, length + 4);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(length), value);
        length += 4;
    }

    /// <summary>A text column as <see cref="LedgerCanonical"/> writes it: its UTF-8 length (−1 when NULL) and bytes.</summary>
    private static void Text(ref byte[] buffer, ref int length, sqlite3_stmt stmt, int column)
    {
        if (raw.sqlite3_column_type(stmt, column) == raw.SQLITE_NULL)
        {
            Int32(ref buffer, ref length, -1);
            return;
        }
        var bytes = raw.sqlite3_column_blob(stmt, column);
        Int32(ref buffer, ref length, bytes.Length);
        Put(ref buffer, ref length, bytes);
    }
}
