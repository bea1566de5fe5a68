using System.Text.Json;
using Vigie.Sigma.Events;

namespace Vigie.Server.Cli;

/// <summary>
/// Reads the events of an input file for <c>vigie sigma scan</c>, choosing a reader by file extension.
/// JSON in every shape (one object, an array, JSON lines, concatenated objects) is read now; an EVTX
/// reader registers itself under <c>.evtx</c> with one line.
/// </summary>
internal static class SigmaEventInputs
{
    private static readonly Dictionary<string, Func<string, IEnumerable<ISigmaEvent>>> Readers = new(StringComparer.OrdinalIgnoreCase)
    {
        [".json"] = ReadJson,
        [".jsonl"] = ReadJson,
        [".ndjson"] = ReadJson,
    };

    public static IEnumerable<ISigmaEvent> Read(string path)
    {
        var extension = Path.GetExtension(path);
        if (Readers.TryGetValue(extension, out var reader))
            return reader(path);
        if (extension.Equals(".evtx", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"{path}: EVTX input needs the EVTX reader, which this build does not include yet; give the events as JSON");
        // Anything else is tried as JSON, which is what most exports are.
        return ReadJson(path);
    }

    private static IEnumerable<ISigmaEvent> ReadJson(string path)
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
        List<JsonElement> events;
        try
        {
            events = JsonEventReader.ReadAll(bytes);
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        return events.Select(element => (ISigmaEvent)new JsonSigmaEvent(element));
    }
}
