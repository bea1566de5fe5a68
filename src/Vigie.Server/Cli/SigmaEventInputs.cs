using System.Text.Json;
using Vigie.Formats.Evtx;
using Vigie.Sigma.Events;

namespace Vigie.Server.Cli;

/// <summary>One event read from an input, and how to keep it beyond the batch it was read in.</summary>
internal sealed class SigmaInputEvent(ISigmaEvent e, Func<ISigmaEvent> persist)
{
    public ISigmaEvent Event { get; } = e;

    /// <summary>A copy that stays valid after the input's buffers are released (kept only for matched events).</summary>
    public ISigmaEvent Persist() => persist();
}

/// <summary>
/// Reads the events of an input file for <c>vigie sigma scan</c>, choosing a reader by file extension.
/// JSON in every shape (one object, an array, JSON lines, concatenated objects) is read now, one value at
/// a time; an EVTX reader registers itself under <c>.evtx</c> with one line.
/// </summary>
internal static class SigmaEventInputs
{
    private static readonly Dictionary<string, Func<string, List<IDisposable>, IEnumerable<SigmaInputEvent>>> Readers = new(StringComparer.OrdinalIgnoreCase)
    {
        [".json"] = ReadJson,
        [".jsonl"] = ReadJson,
        [".ndjson"] = ReadJson,
        [".evtx"] = ReadEvtx,
    };

    /// <summary>Extensions a folder given as input is searched for, recursively.</summary>
    public static IReadOnlyCollection<string> FolderExtensions => Readers.Keys;

    /// <summary>Damage found in EVTX inputs (file, chunk, reason), reported on stderr as the scan goes.</summary>
    public static Action<string>? Warn { get; set; }

    /// <summary>
    /// The events of a file. Buffers that back the events are added to <paramref name="owned"/>: the caller
    /// disposes them once it has evaluated (and persisted what it keeps of) the events read so far.
    /// </summary>
    public static IEnumerable<SigmaInputEvent> Read(string path, List<IDisposable> owned)
    {
        var extension = Path.GetExtension(path);
        if (Readers.TryGetValue(extension, out var reader))
            return reader(path, owned);
        if (EvtxReader.HasEvtxSignature(path))
            return ReadEvtx(path, owned);
        // Anything else is tried as JSON, which is what most exports are.
        return ReadJson(path, owned);
    }

    /// <summary>
    /// Records of an EVTX file, evaluated straight from the reader's chunks; a damaged chunk is reported and
    /// skipped. Each record keeps its chunk's bytes alive only while its batch is evaluated.
    /// </summary>
    private static IEnumerable<SigmaInputEvent> ReadEvtx(string path, List<IDisposable> owned)
    {
        EvtxReader reader;
        try
        {
            reader = EvtxReader.Open(path);
        }
        catch (EvtxFormatException e)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read: {e.Message}");
        }
        using (reader)
        {
            // Chunks are parsed ahead on the thread pool, a few at a time, while the records of earlier ones are
            // evaluated: parsed on the reading thread, they held both cores back (2.5 µs of every record's ~10 µs).
            // Sixteen chunks (about a thousand dense records) per core keep the parsing ahead of a batch being read.
            var lookAhead = Math.Max(2, Environment.ProcessorCount) * 16;
            var headerReported = ReportHeaderDiagnostics(reader, 0);
            foreach (var (chunk, records) in reader.ReadChunksAhead(static chunk => (chunk, chunk.ReadRecords()), lookAhead))
            {
                // Damage is reported chunk by chunk, in file order.
                foreach (var diagnostic in chunk.Diagnostics)
                    Warn?.Invoke($"warning: {diagnostic}");
                foreach (var record in records)
                {
                    var e = new SigmaEvtxEvent(record);
                    yield return new SigmaInputEvent(e, e.Persist);
                }
            }
            ReportHeaderDiagnostics(reader, headerReported);
        }
    }

    /// <summary>Reports the diagnostics about the file as a whole (not one chunk) not reported yet; returns how many there are.</summary>
    private static int ReportHeaderDiagnostics(EvtxReader reader, int reported)
    {
        var count = 0;
        foreach (var diagnostic in reader.Diagnostics)
        {
            if (diagnostic.ChunkIndex >= 0)
                continue;
            if (count++ >= reported)
                Warn?.Invoke($"warning: {diagnostic}");
        }
        return count;
    }

    private static IEnumerable<SigmaInputEvent> ReadJson(string path, List<IDisposable> owned)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: cannot read: {e.Message}");
        }
        using var documents = JsonEventReader.ReadDocuments(bytes).GetEnumerator();
        while (true)
        {
            JsonDocument document;
            try
            {
                if (!documents.MoveNext())
                    yield break;
                document = documents.Current;
            }
            catch (JsonException e)
            {
                throw new CliException($"{path}: {e.Message}");
            }
            owned.Add(document);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in root.EnumerateArray())
                    yield return Event(item);
            }
            else
            {
                yield return Event(root);
            }
        }

        static SigmaInputEvent Event(JsonElement element) =>
            new(new JsonSigmaEvent(element), () => new JsonSigmaEvent(element.Clone()));
    }
}
