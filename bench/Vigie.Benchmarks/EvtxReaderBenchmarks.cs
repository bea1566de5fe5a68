using BenchmarkDotNet.Attributes;
using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Benchmarks;

/// <summary>
/// The EVTX reader over an in-memory file: by default every chunk of SigmaHQ's regression samples (sparse chunks,
/// so per-chunk work such as checksums and template parsing weighs heavily); set VIGIE_EVTX_BENCH_FILE to a large
/// file built by bench/evtx/build_large_evtx.py for dense chunks.
/// Run: dotnet run -c Release --project bench/Vigie.Benchmarks -- --filter '*EvtxReader*'
/// </summary>
[MemoryDiagnoser]
public class EvtxReaderBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        var large = Environment.GetEnvironmentVariable("VIGIE_EVTX_BENCH_FILE");
        if (!string.IsNullOrEmpty(large))
        {
            _file = File.ReadAllBytes(large);
            return;
        }
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Vigie.slnx")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Vigie.slnx not found");
        var samples = Path.Combine(root, "..", "shared", "data", "sigma", "regression_data");
        var chunks = Directory.EnumerateFiles(samples, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => File.ReadAllBytes(f).Skip(EvtxReader.HeaderBlockSize).Chunk(EvtxChunk.Size))
            .Where(c => c.Length == EvtxChunk.Size).ToList();
        _file = new byte[EvtxReader.HeaderBlockSize + (chunks.Count * EvtxChunk.Size)];
        "ElfFile\0"u8.CopyTo(_file);
        _file[38] = 3;
        _file[36] = 1;
        for (var i = 0; i < chunks.Count; i++)
            chunks[i].CopyTo(_file, EvtxReader.HeaderBlockSize + (i * EvtxChunk.Size));
    }

    [Benchmark(Description = "read every record")]
    public int ReadRecords()
    {
        using var reader = EvtxReader.Open(new MemoryStream(_file), "bench.evtx");
        var count = 0;
        foreach (var record in reader.ReadRecords())
            count += record.FieldCount > 0 ? 1 : 0;
        return count;
    }

    [Benchmark(Description = "read and look up 6 fields")]
    public int ReadAndLookUp()
    {
        using var reader = EvtxReader.Open(new MemoryStream(_file), "bench.evtx");
        var found = 0;
        foreach (var record in reader.ReadRecords())
            foreach (var name in (ReadOnlySpan<string>)["EventID", "Channel", "Provider_Name", "CommandLine", "Image", "TargetFilename"])
                if (record.TryGetField(name, out _))
                    found++;
        return found;
    }

    [Benchmark(Description = "read and write JSON lines")]
    public long ReadAndWriteJson()
    {
        using var reader = EvtxReader.Open(new MemoryStream(_file), "bench.evtx");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 20);
        using var writer = new Utf8JsonWriter(buffer, EvtxJson.WriterOptions);
        long bytes = 0;
        foreach (var record in reader.ReadRecords())
        {
            writer.Reset(buffer);
            record.WriteJson(writer);
            writer.Flush();
            bytes += buffer.WrittenCount;
            buffer.ResetWrittenCount();
        }
        return bytes;
    }
}
