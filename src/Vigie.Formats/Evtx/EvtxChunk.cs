using System.Buffers.Binary;

namespace Vigie.Formats.Evtx;

/// <summary>
/// One 64 KiB chunk of an EVTX file. Chunks are self-contained (their own string and template tables),
/// so different chunks can be parsed on different threads at once: <see cref="ReadRecords"/> is safe to call
/// from any thread and parses the chunk once.
/// </summary>
public sealed class EvtxChunk
{
    /// <summary>The size of a chunk in bytes.</summary>
    public const int Size = 65536;

    private const int HeaderSize = 512;
    private static readonly EvtxRecord[] NoRecords = [];

    private readonly byte[] _data;
    private readonly int _length;
    private readonly EvtxReaderOptions _options;
    private readonly bool _withinDeclaredCount;
    private readonly Action<EvtxDiagnostic>? _report;
    private readonly object _gate = new();
    private IReadOnlyList<EvtxRecord>? _records;
    private List<EvtxDiagnostic>? _diagnostics;

    internal EvtxChunk(string fileName, int index, long fileOffset, byte[] data, int length, EvtxReaderOptions options,
        bool withinDeclaredCount, Action<EvtxDiagnostic>? report)
    {
        FileName = fileName;
        Index = index;
        FileOffset = fileOffset;
        _data = data;
        _length = length;
        _options = options;
        _withinDeclaredCount = withinDeclaredCount;
        _report = report;
    }

    /// <summary>The file's name as given to the reader.</summary>
    public string FileName { get; }

    /// <summary>The file name encoded for JSON once per chunk rather than once per record.</summary>
    internal System.Text.Json.JsonEncodedText EncodedFileName => _encodedFileName ??= EncodeFileName(FileName);

    private System.Text.Json.JsonEncodedText? _encodedFileName;

    private static System.Text.Json.JsonEncodedText EncodeFileName(string name)
    {
        return System.Text.Json.JsonEncodedText.Encode(EvtxJson.ReplaceUnpairedSurrogates(name), System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    /// <summary>The chunk's index in the file (0 for the chunk right after the file header).</summary>
    public int Index { get; }

    /// <summary>The chunk's byte offset in the file.</summary>
    public long FileOffset { get; }

    /// <summary>What was wrong in this chunk (empty when it read cleanly); complete once <see cref="ReadRecords"/> returned.</summary>
    public IReadOnlyList<EvtxDiagnostic> Diagnostics
    {
        get
        {
            lock (_gate)
                return _diagnostics is null ? [] : _diagnostics.ToArray();
        }
    }

    /// <summary>
    /// Parses the chunk (the first time) and returns its records in file order. A damaged chunk yields the records
    /// that could be read, possibly none, and reports the damage in <see cref="Diagnostics"/>; it never throws.
    /// </summary>
    public IReadOnlyList<EvtxRecord> ReadRecords()
    {
        if (_records is { } done)
            return done;
        lock (_gate)
        {
            _records ??= Parse();
            return _records;
        }
    }

    private void Report(long chunkOffset, ulong? recordId, string reason)
    {
        var diagnostic = new EvtxDiagnostic(FileName, Index, FileOffset + chunkOffset, recordId, reason);
        (_diagnostics ??= new()).Add(diagnostic);
        _report?.Invoke(diagnostic);
    }

    private IReadOnlyList<EvtxRecord> Parse()
    {
        var data = _data.AsSpan(0, _length);
        if (_length < HeaderSize)
        {
            Report(0, null, $"chunk cut short: {_length} bytes of its 512-byte header present");
            return NoRecords;
        }
        if (!data.StartsWith("ElfChnk\0"u8))
        {
            if (!data.ContainsAnyExcept((byte)0))
            {
                // Unused space at the end of a file is zeros; inside the declared chunks it is damage.
                if (_withinDeclaredCount)
                    Report(0, null, "chunk is all zeros (no chunk signature)");
            }
            else
                Report(0, null, "bad chunk signature (expected \"ElfChnk\")");
            return NoRecords;
        }

        var storedHeaderCrc = BinaryPrimitives.ReadUInt32LittleEndian(data[124..]);
        var headerCrc = Crc32.Append(Crc32.Compute(data[..120]), data[128..HeaderSize]);
        if (storedHeaderCrc != headerCrc)
        {
            Report(124, null, $"chunk header checksum mismatch (stored 0x{storedHeaderCrc:x8}, computed 0x{headerCrc:x8})");
            if (_options.ValidateChecksums)
                return NoRecords;
        }

        var freeSpace = BinaryPrimitives.ReadUInt32LittleEndian(data[48..]);
        var recordsEnd = (int)Math.Min(freeSpace, (uint)Size);
        if (freeSpace < HeaderSize || freeSpace > Size)
        {
            Report(48, null, $"free space offset 0x{freeSpace:x} is outside the chunk; records are read up to the end of the chunk");
            recordsEnd = Size;
        }
        else
        {
            if (recordsEnd > _length)
                Report(_length, null, $"chunk cut short at {_length} of {Size} bytes: records after that point are lost");
            else
            {
                var storedDataCrc = BinaryPrimitives.ReadUInt32LittleEndian(data[52..]);
                var dataCrc = Crc32.Compute(data[HeaderSize..recordsEnd]);
                if (storedDataCrc != dataCrc)
                {
                    Report(52, null, $"event records checksum mismatch (stored 0x{storedDataCrc:x8}, computed 0x{dataCrc:x8})");
                    if (_options.ValidateChecksums)
                        return NoRecords;
                }
            }
        }
        recordsEnd = Math.Min(recordsEnd, _length);

        var arena = new RecordArena();
        var builder = ArenaBuilder.ForCurrentThread();
        builder.Reset();
        var renderer = BinXmlRenderer.ForCurrentThread();
        var fields = FieldBuilder.ForCurrentThread();
        renderer.BeginChunk(_data, _length, builder);
        fields.BeginChunk(builder);
        var records = new List<EvtxRecord>(256);
        var offset = HeaderSize;
        while (offset + 24 <= recordsEnd)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            string? problem = null;
            if (signature != 0x00002A2A)
            {
                if (!data[offset..recordsEnd].ContainsAnyExcept((byte)0))
                    break; // zero padding after the last record
                problem = "no record signature";
            }
            else if (size < 28 || size > (uint)(recordsEnd - offset))
                problem = $"record size {size} runs outside the chunk's records (which end at offset 0x{recordsEnd:x})";
            else if (BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + (int)size - 4)..]) != size)
                problem = $"record size {size} does not match its trailing copy";
            if (problem is not null)
            {
                var next = FindNextRecord(data, offset + 1, recordsEnd);
                Report(offset, null, next < 0
                    ? $"{problem} at offset 0x{offset:x}; the rest of the chunk is skipped"
                    : $"{problem} at offset 0x{offset:x}; reading resumes at offset 0x{next:x}");
                if (next < 0)
                    break;
                offset = next;
                continue;
            }

            var recordId = BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 8)..]);
            var written = BinaryPrimitives.ReadInt64LittleEndian(data[(offset + 16)..]);
            try
            {
                renderer.RenderRecord(offset + 24, offset + (int)size - 4);
                fields.Build(out var fieldStart, out var fieldCount, out var partStart, out var partCount);
                records.Add(new EvtxRecord(this, arena, recordId, written, FileOffset + offset, fieldStart, fieldCount, partStart, partCount));
            }
            catch (BinXmlException e)
            {
                Report(e.Offset > 0 ? e.Offset : offset, recordId, $"record at offset 0x{offset:x} skipped: {e.Message}");
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                // Every read is bounds-checked before it happens; should one be missed, the record is still only skipped.
                Report(offset, recordId, $"record at offset 0x{offset:x} skipped: its Binary XML could not be decoded ({e.Message})");
            }
            offset += (int)size;
        }
        builder.FinishInto(arena);
        return records;
    }

    /// <summary>Looks for the next plausible record (signature, and a size matching its trailing copy).</summary>
    private static int FindNextRecord(ReadOnlySpan<byte> data, int from, int end)
    {
        while (from + 24 <= end)
        {
            var found = data[from..end].IndexOf("**\0\0"u8);
            if (found < 0)
                return -1;
            var candidate = from + found;
            if (candidate + 24 > end)
                return -1;
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(candidate + 4)..]);
            if (size >= 28 && size <= (uint)(end - candidate)
                && BinaryPrimitives.ReadUInt32LittleEndian(data[(candidate + (int)size - 4)..]) == size)
                return candidate;
            from = candidate + 1;
        }
        return -1;
    }
}
