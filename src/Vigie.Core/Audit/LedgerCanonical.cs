using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vigie.Core.Audit;

/// <summary>
/// The bytes a ledger entry's hash covers, in a fixed order, so that any node and any verifier compute the same
/// hash: <c>hash = SHA-256(prev_hash ‖ content)</c>, content = time (int64 LE), then each text field as an int32 LE
/// byte length (−1 when absent) and its UTF-8 bytes, integers as int32 LE and booleans as one byte, in the order of
/// <see cref="Fields"/>. The sequence number is not hashed: order is carried by the chain itself, which is what lets
/// verification tell a reordered entry from a changed one.
/// </summary>
public static class LedgerCanonical
{
    public const int HashSize = 32;

    /// <summary>The hashed columns, in order (docs/LEDGER.md lists them with their meaning).</summary>
    public static readonly string[] Fields =
    [
        "time_us", "request_id", "client_address", "user_id", "user_name", "user_roles", "user_establishment", "user_profession",
        "patient_id", "patient_ref", "patient_establishment", "action", "resource_type", "resource_id", "query", "status",
        "decision", "reasons", "purpose", "break_glass", "justification", "care_relationship", "privacy_flags", "policy_version",
    ];

    public static readonly byte[] Genesis = new byte[HashSize];

    /// <summary>Appends the canonical content of <paramref name="e"/> to <paramref name="buffer"/>.</summary>
    public static void Write(LedgerEntry e, ref Buffer buffer)
    {
        buffer.Int64(e.TimeUs);
        buffer.Text(e.RequestId);
        buffer.Text(e.ClientAddress);
        buffer.Text(e.UserId);
        buffer.Text(e.UserName);
        buffer.Text(e.UserRoles);
        buffer.Text(e.UserEstablishment);
        buffer.Text(e.UserProfession);
        buffer.Text(e.PatientId);
        buffer.Text(e.PatientRef);
        buffer.Text(e.PatientEstablishment);
        buffer.Text(e.Action);
        buffer.Text(e.ResourceType);
        buffer.Text(e.ResourceId);
        buffer.Text(e.Query);
        buffer.Int32(e.Status);
        buffer.Text(e.Decision);
        buffer.Text(e.Reasons);
        buffer.Text(e.Purpose);
        buffer.Bool(e.BreakGlass);
        buffer.Text(e.Justification);
        buffer.Text(e.CareRelationship);
        buffer.Int32(e.PrivacyFlags);
        buffer.Text(e.PolicyVersion);
    }

    public static byte[] Hash(ReadOnlySpan<byte> prev, LedgerEntry e)
    {
        var buffer = new Buffer(512);
        buffer.Bytes(prev);
        Write(e, ref buffer);
        return SHA256.HashData(buffer.Written);
    }

    /// <summary>What a checkpoint's signature covers.</summary>
    public static byte[] CheckpointPayload(long seq, ReadOnlySpan<byte> hash, long previousSeq, long signedAtUs)
    {
        var prefix = "vigie-ledger-checkpoint-v1"u8;
        var payload = new byte[prefix.Length + 8 + hash.Length + 16];
        prefix.CopyTo(payload);
        var span = payload.AsSpan(prefix.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span, seq);
        hash.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[(8 + hash.Length)..], previousSeq);
        BinaryPrimitives.WriteInt64LittleEndian(span[(16 + hash.Length)..], signedAtUs);
        return payload;
    }

    /// <summary>A growable byte buffer reused across entries (verification hashes millions of them).</summary>
    public struct Buffer(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;

        public readonly ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public void Reset() => _length = 0;

        private Span<byte> Take(int count)
        {
            if (_length + count > _bytes.Length)
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + count));
            var span = _bytes.AsSpan(_length, count);
            _length += count;
            return span;
        }

        public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void Bool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

        public void Text(string? value)
        {
            if (value is null)
            {
                Int32(-1);
                return;
            }
            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            var header = _length;
            Take(4);
            var span = Take(max);
            var written = Encoding.UTF8.GetBytes(value, span);
            _length = header + 4 + written;
            BinaryPrimitives.WriteInt32LittleEndian(_bytes.AsSpan(header, 4), written);
        }

        /// <summary>Appends already UTF-8 text (as read from the store) without decoding it.</summary>
        public void Utf8(ReadOnlySpan<byte> value, bool isNull)
        {
            if (isNull)
            {
                Int32(-1);
                return;
            }
            Int32(value.Length);
            Bytes(value);
        }
    }
}
