using System.Buffers.Binary;
using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>Where the shared EVTX samples are, and how tests build files of their own from their chunks.</summary>
internal static class EvtxTestData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string SharedData => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    public static string RegressionData => Path.Combine(SharedData, "sigma", "regression_data");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("Vigie.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every .evtx of SigmaHQ's regression data; skips the test (one line) when the data is absent.</summary>
    public static IReadOnlyList<string> RegressionFiles()
    {
        Skip.IfNot(Directory.Exists(RegressionData), $"shared test data missing: {RegressionData} (SigmaHQ regression_data .evtx samples)");
        var files = Directory.EnumerateFiles(RegressionData, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Skip.If(files.Count == 0, $"shared test data missing: no .evtx file under {RegressionData}");
        return files;
    }

    /// <summary>A regression sample chosen by a part of its path.</summary>
    public static string RegressionFile(string pathPart) =>
        RegressionFiles().FirstOrDefault(f => f.Replace('\\', '/').Contains(pathPart, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"no regression sample matching {pathPart}");

    /// <summary>The chunks (64 KiB each) of an EVTX file.</summary>
    public static List<byte[]> Chunks(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var chunks = new List<byte[]>();
        for (var offset = EvtxReader.HeaderBlockSize; offset + EvtxChunk.Size <= bytes.Length; offset += EvtxChunk.Size)
            chunks.Add(bytes.AsSpan(offset, EvtxChunk.Size).ToArray());
        return chunks;
    }

    /// <summary>A valid EVTX file made of the given chunks behind a new file header (chunks are self-contained).</summary>
    public static byte[] BuildFile(IReadOnlyList<byte[]> chunks, uint flags = 0, int? declaredChunks = null)
    {
        var file = new byte[EvtxReader.HeaderBlockSize + (chunks.Count * EvtxChunk.Size)];
        var header = file.AsSpan(0, EvtxReader.HeaderBlockSize);
        "ElfFile\0"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], (ulong)Math.Max(0, chunks.Count - 1));
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[32..], 128);
        BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[38..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[40..], EvtxReader.HeaderBlockSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header[42..], (ushort)(declaredChunks ?? chunks.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(header[120..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[124..], Crc32.Compute(header[..120]));
        for (var i = 0; i < chunks.Count; i++)
            chunks[i].CopyTo(file, EvtxReader.HeaderBlockSize + (i * EvtxChunk.Size));
        return file;
    }

    /// <summary>Recomputes a chunk's two checksums after a test altered it on purpose.</summary>
    public static void FixChunkChecksums(Span<byte> chunk)
    {
        var freeSpace = (int)BinaryPrimitives.ReadUInt32LittleEndian(chunk[48..]);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk[52..], Crc32.Compute(chunk[512..freeSpace]));
        BinaryPrimitives.WriteUInt32LittleEndian(chunk[124..], Crc32.Append(Crc32.Compute(chunk[..120]), chunk[128..512]));
    }

    /// <summary>Reads a whole file: records and diagnostics; every record is also rendered as JSON.</summary>
    public static (List<EvtxRecord> Records, IReadOnlyList<EvtxDiagnostic> Diagnostics) ReadAll(string path, EvtxReaderOptions? options = null)
    {
        using var reader = EvtxReader.Open(path, options);
        var records = reader.ReadRecords().ToList();
        foreach (var record in records)
            JsonDocument.Parse(record.ToJson()).Dispose();
        return (records, reader.Diagnostics);
    }

    /// <summary>Reads an in-memory file the same way.</summary>
    public static (List<EvtxRecord> Records, IReadOnlyList<EvtxDiagnostic> Diagnostics) ReadAll(byte[] file, EvtxReaderOptions? options = null)
    {
        using var reader = EvtxReader.Open(new MemoryStream(file), "test.evtx", options);
        var records = reader.ReadRecords().ToList();
        foreach (var record in records)
            JsonDocument.Parse(record.ToJson()).Dispose();
        return (records, reader.Diagnostics);
    }

    /// <summary>The concatenated, pretty-printed JSON objects of a regression case's .json file.</summary>
    public static List<JsonElement> ReadConcatenatedJson(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        var result = new List<JsonElement>();
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            result.Add(document.RootElement.Clone());
        }
        return result;
    }
}
