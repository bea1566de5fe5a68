using System.Buffers.Binary;
using System.Text;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>A substitution value: its type and its bytes, given the chunk offset where they will be stored.</summary>
internal sealed record TemplateValue(byte Type, Func<int, byte[]> Data)
{
    public TemplateValue(byte type, byte[] data) : this(type, _ => data)
    {
    }
}

/// <summary>
/// Writes Binary XML records into a chunk by hand, byte by byte as the format describes them (names and template
/// definitions stored inline at first use), so that tests can cover value types and structures the real samples lack.
/// </summary>
internal sealed class BinXmlChunkWriter
{
    private readonly byte[] _chunk = new byte[65536];
    private int _pos = 512;
    private int _recordStart;
    private ulong _nextRecordId = 1;

    public BinXmlChunkWriter()
    {
        "ElfChnk\0"u8.CopyTo(_chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(40), 128);
    }

    public int Position => _pos;

    public void BeginRecord()
    {
        _recordStart = _pos;
        U32(0x00002A2A);
        U32(0); // size, set in EndRecord
        U64(_nextRecordId++);
        U64(134_000_000_000_000_000); // written time: 2025-08-23
    }

    public void EndRecord()
    {
        var size = _pos + 4 - _recordStart;
        U32((uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(_recordStart + 4), (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(44), (uint)_recordStart);
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(48), (uint)_pos);
        BinaryPrimitives.WriteUInt64LittleEndian(_chunk.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(_chunk.AsSpan(16), _nextRecordId - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(_chunk.AsSpan(24), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(_chunk.AsSpan(32), _nextRecordId - 1);
    }

    public byte[] Finish()
    {
        EvtxTestData.FixChunkChecksums(_chunk);
        return _chunk;
    }

    public void FragmentHeader() => Bytes(0x0F, 0x01, 0x01, 0x00);

    public void Start(string name, bool hasAttributes = false, bool withDependency = true)
    {
        Bytes((byte)(hasAttributes ? 0x41 : 0x01));
        if (withDependency)
            U16(0xFFFF);
        U32(0);
        InlineName(name);
        if (hasAttributes)
            U32(0);
    }

    public void Attribute(string name, bool more = false)
    {
        Bytes((byte)(more ? 0x46 : 0x06));
        InlineName(name);
    }

    public void CloseStart() => Bytes(0x02);

    public void CloseEmpty() => Bytes(0x03);

    public void End() => Bytes(0x04);

    public void Eof() => Bytes(0x00);

    public void Text(string text, bool more = false)
    {
        Bytes((byte)(more ? 0x45 : 0x05), 0x01);
        U16((ushort)text.Length);
        Bytes(Encoding.Unicode.GetBytes(text));
    }

    public void CData(string text)
    {
        Bytes(0x07);
        U16((ushort)text.Length);
        Bytes(Encoding.Unicode.GetBytes(text));
    }

    public void CharRef(char c, bool more = false)
    {
        Bytes((byte)(more ? 0x48 : 0x08));
        U16(c);
    }

    public void EntityRef(string name, bool more = false)
    {
        Bytes((byte)(more ? 0x49 : 0x09));
        InlineName(name);
    }

    public void Substitution(ushort index, byte type, bool optional = false)
    {
        Bytes((byte)(optional ? 0x0E : 0x0D));
        U16(index);
        Bytes(type);
    }

    /// <summary>A template instance with its definition inline; <paramref name="body"/> writes one element.</summary>
    public void TemplateInstance(Action body, IReadOnlyList<TemplateValue> values)
    {
        Bytes(0x0C, 0x01);
        U32(0x1234);
        U32((uint)(_pos + 4));
        U32(0); // next template definition
        Bytes(new byte[16]); // template GUID
        var sizeAt = _pos;
        U32(0);
        var bodyStart = _pos;
        FragmentHeader();
        body();
        Eof();
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(sizeAt), (uint)(_pos - bodyStart));
        Values(values);
    }

    /// <summary>A template instance that refers back to a definition written earlier in the chunk.</summary>
    public void TemplateReference(int definitionOffset, IReadOnlyList<TemplateValue> values)
    {
        Bytes(0x0C, 0x01);
        U32(0x1234);
        U32((uint)definitionOffset);
        Values(values);
    }

    private void Values(IReadOnlyList<TemplateValue> values)
    {
        U32((uint)values.Count);
        // A value's bytes may depend on where they land (nested Binary XML stores names inline by offset).
        var at = _pos + (4 * values.Count);
        var data = new List<byte[]>();
        foreach (var value in values)
        {
            var bytes = value.Data(at);
            data.Add(bytes);
            at += bytes.Length;
        }
        for (var i = 0; i < values.Count; i++)
        {
            U16((ushort)data[i].Length);
            Bytes(values[i].Type, 0x00);
        }
        foreach (var bytes in data)
            Bytes(bytes);
    }

    /// <summary>Bytes of a nested Binary XML value: written in place later by <paramref name="write"/> at a known offset.</summary>
    public static byte[] Nested(int at, Action<BinXmlChunkWriter> write)
    {
        var nested = new BinXmlChunkWriter { _pos = at };
        write(nested);
        return nested._chunk.AsSpan(at, nested._pos - at).ToArray();
    }

    private void InlineName(string name)
    {
        U32((uint)(_pos + 4));
        U32(0);
        U16(0);
        U16((ushort)name.Length);
        Bytes(Encoding.Unicode.GetBytes(name));
        U16(0);
    }

    private void Bytes(params byte[] bytes)
    {
        bytes.CopyTo(_chunk, _pos);
        _pos += bytes.Length;
    }

    private void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_chunk.AsSpan(_pos), value);
        _pos += 2;
    }

    private void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_chunk.AsSpan(_pos), value);
        _pos += 4;
    }

    private void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_chunk.AsSpan(_pos), value);
        _pos += 8;
    }
}
