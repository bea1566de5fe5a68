using System.Buffers.Binary;
using System.Collections.Concurrent;


namespace Vigie.Formats.Evtx;

/// <summary>
/// Reads a Windows XML event log (.evtx) natively: file header, 64 KiB chunks with their CRC-32 checks, records,
/// and their Binary XML (templates, substitutions, every value type).
/// </summary>
/// <remarks>
/// <para>Memory stays flat whatever the file size: chunks are read one at a time from the stream, and each chunk's
/// records keep only that chunk's bytes alive.</para>
/// <para>Sequential use: <c>foreach (var record in reader.ReadRecords())</c>. Parallel use: chunks are independent,
/// so <c>Parallel.ForEach(Partitioner.Create(reader.ReadChunks(), EnumerablePartitionerOptions.NoBuffering), chunk =&gt; …chunk.ReadRecords()…)</c>
/// parses several chunks at once (<c>NoBuffering</c> keeps the partitioner from reading ahead many chunks).</para>
/// <para>Damage never throws once the file is open: a chunk with a bad signature or checksum is skipped, a record that
/// does not parse is skipped, and each is reported in <see cref="Diagnostics"/> (file, chunk, offset, reason) while
/// the rest of the file is read. A file not cleanly closed (dirty, wrong chunk count) is read to its last chunk.</para>
/// </remarks>
public sealed class EvtxReader : IDisposable
{
    /// <summary>The size of the file header block in bytes.</summary>
    public const int HeaderBlockSize = 4096;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly EvtxReaderOptions _options;
    private readonly ConcurrentQueue<EvtxDiagnostic> _diagnostics = new();
    private readonly long _chunksStart;
    private bool _enumerated;
    private readonly bool _headerCutShort;

    private EvtxReader(Stream stream, string fileName, EvtxReaderOptions options, bool leaveOpen, byte[] header, int headerLength)
    {
        _stream = stream;
        FileName = fileName;
        _options = options;
        _leaveOpen = leaveOpen;
        _chunksStart = stream.CanSeek ? stream.Position : 0;

        var span = header.AsSpan(0, headerLength);
        NextRecordId = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        MinorVersion = BinaryPrimitives.ReadUInt16LittleEndian(span[36..]);
        MajorVersion = BinaryPrimitives.ReadUInt16LittleEndian(span[38..]);
        DeclaredChunkCount = BinaryPrimitives.ReadUInt16LittleEndian(span[42..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(span[120..]);
        IsDirty = (flags & 1) != 0;
        IsFull = (flags & 2) != 0;

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(span[124..]);
        var crc = Crc32.Compute(span[..120]);
        if (storedCrc != crc)
            Report(124, $"file header checksum mismatch (stored 0x{storedCrc:x8}, computed 0x{crc:x8}); chunks are read anyway");
        if (MajorVersion != 3)
            Report(38, $"unexpected format version {MajorVersion}.{MinorVersion} (3.1 or 3.2 expected); chunks are read anyway");
        var blockSize = BinaryPrimitives.ReadUInt16LittleEndian(span[40..]);
        if (blockSize != HeaderBlockSize)
            Report(40, $"header block size {blockSize} instead of {HeaderBlockSize}; chunks are read from offset {HeaderBlockSize}");
        _headerCutShort = headerLength < HeaderBlockSize;
        if (_headerCutShort)
            Report(headerLength, $"file ends at {headerLength} bytes, inside its {HeaderBlockSize}-byte header: it holds no chunk");
    }

    /// <summary>The file's name as given when opening (used in diagnostics and records).</summary>
    public string FileName { get; }

    /// <summary>Major format version (3).</summary>
    public int MajorVersion { get; }

    /// <summary>Minor format version (1, or 2 from Windows 10 2004).</summary>
    public int MinorVersion { get; }

    /// <summary>The number of chunks the header declares (a dirty file may hold more: all are read).</summary>
    public int DeclaredChunkCount { get; }

    /// <summary>The next record identifier the header declares.</summary>
    public ulong NextRecordId { get; }

    /// <summary>True when the file was not cleanly closed (the header's dirty flag).</summary>
    public bool IsDirty { get; }

    /// <summary>True when the log was full (the header's full flag).</summary>
    public bool IsFull { get; }

    /// <summary>Everything wrong found so far (file header, skipped chunks and records); safe to read from any thread.</summary>
    public IReadOnlyList<EvtxDiagnostic> Diagnostics => _diagnostics.ToArray();

    /// <summary>Opens a file. Throws <see cref="EvtxFormatException"/> if it is not EVTX (empty, other format, header cut short).</summary>
    public static EvtxReader Open(string path, EvtxReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        try
        {
            return Open(stream, path, options, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a stream positioned at the start of an EVTX file; <paramref name="fileName"/> names it in diagnostics.
    /// Throws <see cref="EvtxFormatException"/> if it is not EVTX. The stream need not be seekable.
    /// </summary>
    public static EvtxReader Open(Stream stream, string fileName, EvtxReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        var header = new byte[HeaderBlockSize];
        var length = stream.ReadAtLeast(header, HeaderBlockSize, throwOnEndOfStream: false);
        if (length == 0)
            throw new EvtxFormatException(fileName, "empty file, not an EVTX file");
        if (length < 8 || !header.AsSpan().StartsWith("ElfFile\0"u8))
            throw new EvtxFormatException(fileName, "not an EVTX file (no \"ElfFile\" signature at offset 0)");
        if (length < 128)
            throw new EvtxFormatException(fileName, $"EVTX file cut short inside its header ({length} of 128 bytes)");
        return new EvtxReader(stream, fileName, options ?? EvtxReaderOptions.Default, leaveOpen, header, length);
    }

    /// <summary>True when the file starts with the EVTX signature (it may still be damaged further on).</summary>
    public static bool HasEvtxSignature(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        Span<byte> signature = stackalloc byte[8];
        return stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false) == 8 && signature.SequenceEqual("ElfFile\0"u8);
    }

    /// <summary>
    /// Reads the chunks one after the other (the stream is read once; a seekable stream may be enumerated again).
    /// Parsing happens in <see cref="EvtxChunk.ReadRecords"/>, on whichever thread calls it.
    /// </summary>
    public IEnumerable<EvtxChunk> ReadChunks()
    {
        if (_enumerated)
        {
            if (!_stream.CanSeek)
                throw new InvalidOperationException($"{FileName}: the stream cannot seek, so its chunks can be read only once");
            _stream.Position = _chunksStart;
        }
        _enumerated = true;
        return Chunks();
    }

    private IEnumerable<EvtxChunk> Chunks()
    {
        for (var index = 0; ; index++)
        {
            // A fresh buffer per chunk (not pooled): records keep their chunk's bytes, so a buffer is never reused under them.
            var buffer = new byte[EvtxChunk.Size];
            var length = _stream.ReadAtLeast(buffer, EvtxChunk.Size, throwOnEndOfStream: false);
            if (length == 0)
            {
                if (index < DeclaredChunkCount && !_headerCutShort)
                    Report(HeaderBlockSize + ((long)index * EvtxChunk.Size),
                        $"the file ends after {index} chunks but its header declares {DeclaredChunkCount}: it may have been cut short");
                yield break;
            }
            yield return new EvtxChunk(FileName, index, HeaderBlockSize + ((long)index * EvtxChunk.Size), buffer, length, _options,
                index < DeclaredChunkCount, _diagnostics.Enqueue);
            if (length < EvtxChunk.Size)
                yield break;
        }
    }

    /// <summary>
    /// Parses the chunks on several threads and calls <paramref name="body"/> once per chunk, as soon as it is read:
    /// chunks are handed out one at a time, so no more than <paramref name="maxDegreeOfParallelism"/> chunks are held.
    /// The order in which chunks are processed is not the file order (use <see cref="EvtxChunk.Index"/> when it matters).
    /// </summary>
    public void ForEachChunk(Action<EvtxChunk> body, int maxDegreeOfParallelism = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.ForEach(Partitioner.Create(ReadChunks(), EnumerablePartitionerOptions.NoBuffering), options, chunk =>
        {
            chunk.ReadRecords();
            body(chunk);
        });
    }

    /// <summary>
    /// Reads the chunks in file order and runs <paramref name="work"/> on each (parse it with
    /// <see cref="EvtxChunk.ReadRecords"/>, render it…) on the thread pool, up to <paramref name="lookAhead"/> chunks
    /// ahead of the caller; yields the results in file order. Memory stays bounded by the look-ahead.
    /// </summary>
    /// <remarks>
    /// A consumer that parses on its own thread holds the other cores back: parsing is about a fifth of a Sigma scan's
    /// CPU and all of a dump's. When the stream fails while chunks are still in flight, their results are yielded first,
    /// then the <see cref="IOException"/> is thrown, so that everything read before the failure is kept.
    /// </remarks>
    public IEnumerable<TResult> ReadChunksAhead<TResult>(Func<EvtxChunk, TResult> work, int lookAhead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookAhead, 1);
        return ChunksAhead(ReadChunks(), work, lookAhead, cancellationToken);
    }

    private static IEnumerable<TResult> ChunksAhead<TResult>(IEnumerable<EvtxChunk> source, Func<EvtxChunk, TResult> work, int lookAhead,
        CancellationToken cancellationToken)
    {
        var ahead = new Queue<Task<TResult>>(lookAhead);
        IOException? failure = null;
        using var chunks = source.GetEnumerator();
        var more = true;
        try
        {
            while (true)
            {
                while (more && failure is null && ahead.Count < lookAhead)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        more = chunks.MoveNext();
                    }
                    catch (IOException e)
                    {
                        failure = e;
                        break;
                    }
                    if (more)
                    {
                        var chunk = chunks.Current;
                        ahead.Enqueue(Task.Run(() => work(chunk), cancellationToken));
                    }
                }
                if (ahead.Count == 0)
                    break;
                yield return ahead.Dequeue().GetAwaiter().GetResult();
            }
        }
        finally
        {
            // A consumer that stops early leaves no work running against a disposed reader.
            foreach (var pending in ahead)
                pending.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default).Wait(CancellationToken.None);
        }
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>All records of all chunks, in file order, parsed on the calling thread.</summary>
    public IEnumerable<EvtxRecord> ReadRecords()
    {
        foreach (var chunk in ReadChunks())
            foreach (var record in chunk.ReadRecords())
                yield return record;
    }

    private void Report(long offset, string reason) => _diagnostics.Enqueue(new EvtxDiagnostic(FileName, -1, offset, null, reason));

    /// <summary>Closes the stream unless it was opened with <c>leaveOpen</c>.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
            _stream.Dispose();
    }
}
