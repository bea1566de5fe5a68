using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Vigie.Core.Events;
using Vigie.Formats.Auditd;
using Vigie.Formats.Evtx;
using Vigie.Formats.Syslog;

namespace Vigie.Core.Ingestion;

/// <summary>Turns the bodies and lines collectors send into normalised events, keeping every bad line as a pipeline error with its reason.</summary>
public static class IngestBatchReader
{
    /// <summary>The longest line accepted in an NDJSON body.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    public sealed record LineError(int Line, string Error);

    public sealed record Result(List<EventToStore> Events, List<LineError> Rejected)
    {
        public int Accepted => Events.Count - Rejected.Count;
    }

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Reads NDJSON (one JSON event per line; blank lines ignored). Each bad line is reported (1-based line number
    /// and reason) and stored as a pipeline error; the good lines are normalised.
    /// </summary>
    public static Result ReadNdjson(ReadOnlySpan<byte> body, IngestContext context)
    {
        var events = new List<EventToStore>();
        var rejected = new List<LineError>();
        var line = 0;
        while (body.Length > 0)
        {
            line++;
            var lf = body.IndexOf((byte)'\n');
            var bytes = lf < 0 ? body : body[..lf];
            body = lf < 0 ? [] : body[(lf + 1)..];
            if (bytes.Length > 0 && bytes[^1] == '\r')
                bytes = bytes[..^1];
            if (line == 1 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                bytes = bytes[3..];
            if (bytes.Trim((byte)' ').IsEmpty)
                continue;
            var e = ReadJsonLine(bytes, line, context, out var error, out var more);
            if (error is not null)
                rejected.Add(new LineError(line, error));
            events.Add(new EventToStore(e.Timestamp, context.EstablishmentId, e));
            foreach (var other in more)
                events.Add(new EventToStore(other.Timestamp, context.EstablishmentId, other));
        }
        return new Result(events, rejected);
    }

    /// <summary>One JSON event; on failure, a pipeline-error event and the reason.</summary>
    public static EventDocument ReadJsonLine(ReadOnlySpan<byte> bytes, int line, IngestContext context, out string? error) =>
        ReadJsonLine(bytes, line, context, out error, out _);

    /// <summary>
    /// One JSON event, or a FHIR Bundle of AuditEvents (the first is returned, the others in <paramref name="more"/>);
    /// on failure, a pipeline-error event and the reason.
    /// </summary>
    public static EventDocument ReadJsonLine(ReadOnlySpan<byte> bytes, int line, IngestContext context, out string? error, out List<EventDocument> more)
    {
        more = [];
        error = null;
        if (bytes.Length > MaxLineBytes)
        {
            error = $"line is {bytes.Length} bytes, more than the {MaxLineBytes} allowed";
            return EventNormaliser.PipelineError(Encoding.UTF8.GetString(bytes[..4096]), error, context);
        }
        if (!Utf8.IsValid(bytes))
        {
            error = $"not valid UTF-8 at byte {FirstInvalidUtf8(bytes) + 1} of the line";
            return EventNormaliser.PipelineError(Encoding.UTF8.GetString(bytes), error, context);
        }
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = JsonOptions.MaxDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            // Anything after the value ("{…} {…}"): the final reader throws on it, naming its byte.
            if (reader.Read())
                throw new JsonException($"more than one JSON value on the line (next one at byte {reader.TokenStartIndex + 1})");
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                error = $"a JSON {root.ValueKind.ToString().ToLowerInvariant()} is not an event (an object is expected)";
            else if (root.TryGetProperty("resourceType"u8, out var type) && type.ValueEquals("Bundle"u8)
                && root.TryGetProperty("entry"u8, out var entries) && entries.ValueKind == JsonValueKind.Array && entries.GetArrayLength() > 0)
            {
                // EHR software may send its audit records as a Bundle: each entry is an event of its own.
                var documents = new List<EventDocument>();
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.TryGetProperty("resource"u8, out var resource) && resource.ValueKind == JsonValueKind.Object)
                        documents.Add(EventNormaliser.FromJson(resource, resource.GetRawText(), context));
                }
                if (documents.Count > 0)
                {
                    more = documents.GetRange(1, documents.Count - 1);
                    return documents[0];
                }
            }
            return EventNormaliser.FromJson(root, Encoding.UTF8.GetString(bytes), context);
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + Describe(e);
            return EventNormaliser.PipelineError(Encoding.UTF8.GetString(bytes), error, context);
        }
    }

    private static string Describe(JsonException e)
    {
        // The reader's message ends with "Path: $ | LineNumber: 0 | BytePositionInLine: 5."; say it plainly.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut].TrimEnd();
        return e.BytePositionInLine is { } at ? $"{message.TrimEnd('.')} (byte {at + 1})" : message;
    }

    public static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Min(bytes.Length, 64 * 1024) + 4);
        try
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var status = Utf8.ToUtf16(bytes[offset..], buffer, out var read, out _, replaceInvalidSequences: false);
                if (status == OperationStatus.InvalidData || status == OperationStatus.NeedMoreData)
                    return offset + read;
                offset += read;
                if (status == OperationStatus.Done)
                    break;
            }
            return offset;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>A Windows event log record written as the JSON an agent sends: <c>{"Event": {"System": …, "EventData": …}}</c>.</summary>
    public static void WriteEvtxJson(EvtxRecord record, IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output, EvtxJson.WriterOptions);
        json.WriteStartObject();
        json.WritePropertyName("Event"u8);
        record.WriteEventJson(json);
        json.WriteEndObject();
    }

    /// <summary>One Windows event log record, normalised as its JSON rendering would be; <paramref name="buffer"/> is reused between records.</summary>
    public static EventDocument ReadEvtxRecord(EvtxRecord record, ArrayBufferWriter<byte> buffer, int line, IngestContext context)
    {
        buffer.ResetWrittenCount();
        WriteEvtxJson(record, buffer);
        return ReadJsonLine(buffer.WrittenSpan, line, context, out _);
    }

    /// <summary>One syslog message (a frame from a stream or a datagram).</summary>
    public static EventToStore ReadSyslog(ReadOnlySpan<byte> message, IngestContext context, bool truncated)
    {
        var m = SyslogParser.Parse(message, context.Received);
        var raw = Encoding.UTF8.GetString(message);
        var e = EventNormaliser.FromSyslog(m, raw, context);
        if (truncated)
        {
            e[EventFields.ErrorMessage] = $"message longer than the limit; cut at {message.Length} bytes";
            e[EventFields.Tags] = new List<object?> { "truncated" };
        }
        if (m.Format == SyslogFormat.Unknown && !m.HasPriority && m.Timestamp is null && raw.Length > 0 && !LooksLikeText(raw))
        {
            e[EventFields.Kind] = EventFields.PipelineError;
            e[EventFields.ErrorMessage] = "not a syslog message: no priority, no timestamp, and binary content";
        }
        return new EventToStore(e.Timestamp, context.EstablishmentId, e);
    }

    /// <summary>One line of a file in auditd's format.</summary>
    public static EventToStore ReadAuditLine(string line, IngestContext context)
    {
        var e = EventNormaliser.FromAuditLine(line, context);
        return new EventToStore(e.Timestamp, context.EstablishmentId, e);
    }

    public static bool LooksLikeAudit(string line) => line.StartsWith("type=", StringComparison.Ordinal) && AuditdParser.LooksLikeAudit(line);

    private static bool LooksLikeText(string s)
    {
        var control = 0;
        foreach (var c in s)
        {
            if ((c < ' ' && c is not '\t' and not '\r' and not '\n') || c == '\uFFFD')
                control++;
        }
        return control * 10 < s.Length;
    }
}
