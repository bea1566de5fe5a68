using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;

namespace Vigie.Core.Audit;

/// <summary>
/// Recomputes the ledger's hash chain and checks every signed checkpoint. Streams the entries once (the common,
/// intact case); on the first inconsistency it reads the links of every entry again to tell what happened there:
/// changed, removed, inserted or reordered.
/// </summary>
public sealed class LedgerVerifier(VigieDbContext db, ILedgerScanner? scanner = null)
{
    public const string Columns =
        "seq, time_us, request_id, client_address, user_id, user_name, user_roles, user_establishment, user_profession, patient_id, patient_ref, " +
        "patient_establishment, action, resource_type, resource_id, query, status, decision, reasons, purpose, break_glass, justification, " +
        "care_relationship, privacy_flags, policy_version, prev_hash, hash";

    public Task<LedgerVerification> VerifyAsync(ECDsa? publicKey, CancellationToken ct = default) => VerifyAsync(publicKey, null, ct);

    /// <summary>Verifies the ledger, telling <paramref name="progress"/> now and then how many entries are verified.</summary>
    public async Task<LedgerVerification> VerifyAsync(ECDsa? publicKey, IProgress<long>? progress, CancellationToken ct = default)
    {
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Seq).ToListAsync(ct);
        long previous = 0;
        foreach (var c in checkpoints)
        {
            if (c.PreviousSeq != previous)
                return new LedgerVerification(0, checkpoints.Count, LedgerDamage.Checkpoint, c.Seq,
                    $"checkpoint at entry {c.Seq} follows checkpoint {c.PreviousSeq}, but the previous checkpoint is at {previous}: a checkpoint was removed");
            if (publicKey is null)
                return new LedgerVerification(0, checkpoints.Count, LedgerDamage.Checkpoint, c.Seq, "checkpoints exist but the ledger's public key (keys/ledger-signing.pub.pem) is missing");
            if (!publicKey.VerifyData(LedgerCanonical.CheckpointPayload(c.Seq, c.Hash, c.PreviousSeq, c.SignedAtUs), c.Signature, HashAlgorithmName.SHA256))
                return new LedgerVerification(0, checkpoints.Count, LedgerDamage.Checkpoint, c.Seq, $"the signature of the checkpoint at entry {c.Seq} is invalid");
            previous = c.Seq;
        }

        var scan = await (scanner ?? new DbLedgerScanner(db)).ScanAsync(checkpoints, progress, ct);
        var count = scan.Count;
        var expected = scan.Expected;
        if (scan.Broken)
        {
            var connection = db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
                await connection.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            return await DiagnoseAsync(connection, tx, expected, scan.Running, count, checkpoints.Count, ct);
        }
        if (scan.RewrittenAt > 0)
            return new LedgerVerification(count, checkpoints.Count, LedgerDamage.Rewritten, scan.LastGoodCheckpoint + 1,
                $"entries {scan.LastGoodCheckpoint + 1}–{scan.RewrittenAt} were rewritten: the chain is consistent but does not reach the hash signed at entry {scan.RewrittenAt}");
        if (scan.NextCheckpoint < checkpoints.Count)
        {
            var c = checkpoints[scan.NextCheckpoint];
            return new LedgerVerification(count, checkpoints.Count, LedgerDamage.Removed, expected,
                $"entry {expected} was removed: the ledger ends at entry {expected - 1} but a checkpoint signed entry {c.Seq}");
        }
        return new LedgerVerification(count, checkpoints.Count, LedgerDamage.None, null,
            count == 0 ? "the ledger is empty" : $"{count} entries and {checkpoints.Count} checkpoints verified; the chain is intact");
    }

    /// <summary>The provider-neutral scan, through ADO.NET (the SQLite store has a faster one in Vigie.Storage).</summary>
    private sealed class DbLedgerScanner(VigieDbContext db) : ILedgerScanner
    {
        public async Task<LedgerScan> ScanAsync(IReadOnlyList<LedgerCheckpoint> checkpoints, IProgress<long>? progress, CancellationToken ct)
        {
            var connection = db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
                await connection.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var buffer = new LedgerCanonical.Buffer(1024);
            var running = LedgerCanonical.Genesis.ToArray();
            var computed = new byte[32];
            long expected = 1, count = 0, lastGood = 0;
            var next = 0;
            var entry = new LedgerEntry { Action = "", Decision = "", PrevHash = [], Hash = [] };
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {Columns} FROM audit_ledger ORDER BY seq";
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                Read(reader, entry);
                if (entry.Seq != expected || !entry.PrevHash.AsSpan().SequenceEqual(running))
                    return new LedgerScan(count, expected, running, true, 0, lastGood, next);
                buffer.Reset();
                buffer.Bytes(entry.PrevHash);
                LedgerCanonical.Write(entry, ref buffer);
                SHA256.HashData(buffer.Written, computed);
                if (!computed.AsSpan().SequenceEqual(entry.Hash))
                    return new LedgerScan(count, expected, running, true, 0, lastGood, next);
                (running, computed) = (computed, running);
                count++;
                expected++;
                if ((count & 0xFFFF) == 0)
                    progress?.Report(count);
                if (next < checkpoints.Count && checkpoints[next].Seq == entry.Seq)
                {
                    if (!checkpoints[next].Hash.AsSpan().SequenceEqual(running))
                        return new LedgerScan(count, expected, running, false, entry.Seq, lastGood, next);
                    lastGood = entry.Seq;
                    next++;
                }
            }
            return new LedgerScan(count, expected, running, false, 0, lastGood, next);
        }
    }

    private static void Read(DbDataReader r, LedgerEntry e)
    {
        e.Seq = r.GetInt64(0);
        e.TimeUs = r.GetInt64(1);
        e.RequestId = Text(r, 2);
        e.ClientAddress = Text(r, 3);
        e.UserId = Text(r, 4);
        e.UserName = Text(r, 5);
        e.UserRoles = Text(r, 6);
        e.UserEstablishment = Text(r, 7);
        e.UserProfession = Text(r, 8);
        e.PatientId = Text(r, 9);
        e.PatientRef = Text(r, 10);
        e.PatientEstablishment = Text(r, 11);
        e.Action = r.GetString(12);
        e.ResourceType = Text(r, 13);
        e.ResourceId = Text(r, 14);
        e.Query = Text(r, 15);
        e.Status = r.GetInt32(16);
        e.Decision = r.GetString(17);
        e.Reasons = Text(r, 18);
        e.Purpose = Text(r, 19);
        e.BreakGlass = r.GetBoolean(20);
        e.Justification = Text(r, 21);
        e.CareRelationship = Text(r, 22);
        e.PrivacyFlags = r.GetInt32(23);
        e.PolicyVersion = Text(r, 24);
        e.PrevHash = (byte[])r.GetValue(25);
        e.Hash = (byte[])r.GetValue(26);
    }

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private sealed record Link(long Seq, byte[] Prev, byte[] Hash, bool SelfOk);

    private static async Task<LedgerVerification> DiagnoseAsync(DbConnection connection, DbTransaction tx, long expected, byte[] running, long good, int checkpoints, CancellationToken ct)
    {
        var links = new List<Link>();
        var buffer = new LedgerCanonical.Buffer(1024);
        var entry = new LedgerEntry { Action = "", Decision = "", PrevHash = [], Hash = [] };
        await using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {Columns} FROM audit_ledger WHERE seq >= @from ORDER BY seq";
            var p = cmd.CreateParameter();
            p.ParameterName = "@from";
            p.Value = expected - 2;
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                Read(reader, entry);
                buffer.Reset();
                buffer.Bytes(entry.PrevHash);
                LedgerCanonical.Write(entry, ref buffer);
                var self = SHA256.HashData(buffer.Written).AsSpan().SequenceEqual(entry.Hash);
                links.Add(new Link(entry.Seq, entry.PrevHash, entry.Hash, self));
            }
        }
        var at = links.FindIndex(l => l.Seq >= expected);
        LedgerVerification Result(LedgerDamage damage, long seq, string message) => new(good, checkpoints, damage, seq, message);
        if (at < 0)
            return Result(LedgerDamage.Removed, expected, $"entry {expected} was removed (the ledger ends at entry {expected - 1})");
        var row = links[at];
        if (row.Seq > expected)
            return Result(LedgerDamage.Removed, expected, $"entry {expected} was removed: the ledger goes from entry {expected - 1} to entry {row.Seq}");
        bool IsHashOf(byte[] h, int except) => links.Where((l, i) => i != except && l.Hash.AsSpan().SequenceEqual(h)).Any();
        var linked = row.Prev.AsSpan().SequenceEqual(running);
        var next = at + 1 < links.Count ? links[at + 1] : null;
        // A row that passed but was never appended: the one after it still points two entries back.
        if (!linked && at >= 2 && links[at - 1].Seq == row.Seq - 1 && row.Prev.AsSpan().SequenceEqual(links[at - 2].Hash))
            return Result(LedgerDamage.Inserted, row.Seq - 1, $"entry {row.Seq - 1} was inserted: entry {row.Seq} follows entry {row.Seq - 2}");
        // Its predecessor is elsewhere in the ledger: moved.
        if (!linked && IsHashOf(row.Prev, at))
            return Result(LedgerDamage.Reordered, row.Seq, $"entry {row.Seq} was reordered: it does not follow entry {row.Seq - 1} but another entry of the ledger");
        // The chain goes around it: the next entry follows the previous one.
        if (next is not null && next.Prev.AsSpan().SequenceEqual(running))
            return Result(LedgerDamage.Inserted, row.Seq, $"entry {row.Seq} was inserted: the chain goes from entry {row.Seq - 1} to entry {next.Seq} around it");
        if (linked)
            return Result(LedgerDamage.Changed, row.Seq, $"entry {row.Seq} was changed: its content no longer gives its hash");
        var successor = links.FindIndex(l => l.Prev.AsSpan().SequenceEqual(running));
        if (successor >= 0)
            return Result(LedgerDamage.Reordered, row.Seq, $"entry {row.Seq} was reordered: the entry that follows entry {row.Seq - 1} stands at {links[successor].Seq}");
        return row.SelfOk
            ? Result(LedgerDamage.Removed, row.Seq, $"an entry before entry {row.Seq} was removed: its predecessor is no longer in the ledger")
            : Result(LedgerDamage.Inserted, row.Seq, $"entry {row.Seq} was inserted: it neither follows entry {row.Seq - 1} nor has a valid hash");
    }
}
