using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Vigie.Sigma;
using Vigie.Sigma.Correlation;

namespace Vigie.Server.Cli;

/// <summary>
/// The JSON lines of <c>vigie sigma scan --output jsonl</c>, written as bytes. The part of a rule's line that
/// never changes (id, title, level, tags) is encoded once per rule, the input's name once per file: a
/// <see cref="Utf8JsonWriter"/> and a string per match cost about 1 µs per match, 5 % of a whole-corpus scan
/// of an EVTX file where most records match.
/// </summary>
internal sealed class SigmaJsonLines(Stream output) : IDisposable
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Dictionary<SigmaRule, byte[]> _rules = new(ReferenceEqualityComparer.Instance);
    private readonly Utf8JsonWriter _json = new(Stream.Null, Compact);
    private string? _input;
    private byte[] _encodedInput = [];

    public void WriteMatch(SigmaRule rule, string input, int eventIndex, DateTimeOffset? time, string? recordId)
    {
        if (!_rules.TryGetValue(rule, out var prefix))
            _rules[rule] = prefix = EncodeRule(rule);
        if (!ReferenceEquals(input, _input))
        {
            _input = input;
            _encodedInput = Encode(json => json.WriteStringValue(input));
        }
        Append(prefix);
        Append(",\"input\":"u8);
        Append(_encodedInput);
        Append(",\"event_index\":"u8);
        Utf8Formatter.TryFormat(eventIndex, _buffer.GetSpan(16), out var written);
        _buffer.Advance(written);
        if (time is { } t)
        {
            Append(",\"timestamp\":\""u8);
            // ISO 8601 UTC with milliseconds, as SigmaEventTime.Format writes it: ASCII, nothing to escape.
            t.UtcDateTime.TryFormat(_buffer.GetSpan(32), out written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            _buffer.Advance(written);
            Append("\""u8);
        }
        if (recordId is not null)
        {
            Append(",\"record_id\":"u8);
            if (IsPlain(recordId))
            {
                Append("\""u8);
                written = System.Text.Encoding.UTF8.GetBytes(recordId, _buffer.GetSpan(recordId.Length));
                _buffer.Advance(written);
                Append("\""u8);
            }
            else
            {
                Append(Encode(json => json.WriteStringValue(recordId)));
            }
        }
        Append("}\n"u8);
        if (_buffer.WrittenCount > (1 << 16) - 4096)
            Flush();
    }

    public void WriteCorrelation(SigmaCorrelationMatch c, string type)
    {
        Append(Encode(json =>
        {
            WriteHead(json, c.Correlation.Id ?? c.Correlation.Name, c.Correlation.Title, c.Correlation.Level, c.Correlation.Tags);
            json.WriteString("correlation", type);
            json.WriteString("timestamp", Vigie.Sigma.Events.SigmaEventTime.Format(c.Time));
            json.WriteStartObject("group");
            for (var i = 0; i < c.Group.Count; i++)
                json.WriteString(c.Correlation.GroupBy[i], c.Group[i]);
            json.WriteEndObject();
            json.WriteNumber("value", c.Value);
            json.WriteNumber("event_count", c.EventCount);
            json.WriteEndObject();
        }));
        Append("\n"u8);
    }

    public void Flush()
    {
        output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        output.Flush();
    }

    public void Dispose()
    {
        Flush();
        _json.Dispose();
    }

    internal static string LevelName(SigmaLevel level) => level == SigmaLevel.None ? "" : level.ToString().ToLowerInvariant();

    /// <summary>The line up to the end of its tags: <c>{"rule_id":…,"rule_title":…,"level":…,"tags":[…]</c>.</summary>
    private byte[] EncodeRule(SigmaRule rule) => Encode(json => WriteHead(json, rule.Id ?? rule.Name, rule.Title, rule.Level, rule.Tags));

    /// <summary>What every line starts with, a rule's or a correlation's: its id, title, level and tags.</summary>
    private static void WriteHead(Utf8JsonWriter json, string? id, string? title, SigmaLevel level, IEnumerable<string> tags)
    {
        json.WriteStartObject();
        json.WriteString("rule_id", id);
        json.WriteString("rule_title", title);
        json.WriteString("level", LevelName(level));
        json.WriteStartArray("tags");
        foreach (var tag in tags)
            json.WriteStringValue(tag);
        json.WriteEndArray();
    }

    private byte[] Encode(Action<Utf8JsonWriter> write)
    {
        var bytes = new ArrayBufferWriter<byte>(256);
        _json.Reset(bytes);
        write(_json);
        _json.Flush();
        return bytes.WrittenSpan.ToArray();
    }

    // Record ids are decimal numbers: nothing to escape.
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
                return false;
        }
        return true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }
}
