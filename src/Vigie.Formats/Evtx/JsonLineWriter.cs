using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vigie.Formats.Evtx;

/// <summary>
/// Writes a record as one JSON line straight into bytes, the hot path of <c>vigie evtx dump</c>.
/// Utf8JsonWriter spent 1.6 µs of CPU per record (about half of the whole dump) checking and transcoding each of a
/// record's thirty names and values; here names are pre-encoded once and plain ASCII values (paths, numbers, GUIDs,
/// times: nearly all of them) are copied with only quotes and backslashes escaped. Anything else (non-ASCII or
/// control characters, floats, nested UserData) goes through Utf8JsonWriter, so the bytes are exactly those
/// <see cref="EvtxRecord.WriteJson"/> produces; a test holds the two to byte equality.
/// </summary>
internal sealed class JsonLineWriter
{
    private static readonly SearchValues<char> QuoteOrBackslash = SearchValues.Create("\"\\");

    private readonly Dictionary<string, byte[]> _names = new(ReferenceEqualityComparer.Instance);
    private readonly ArrayBufferWriter<byte> _fallbackBuffer = new(256);
    private readonly Utf8JsonWriter _fallback;
    private IBufferWriter<byte> _output = null!;

    private JsonLineWriter()
    {
        _fallback = new Utf8JsonWriter(_fallbackBuffer, EvtxJson.WriterOptions);
    }

    [ThreadStatic]
    private static JsonLineWriter? t_cached;

    public static JsonLineWriter ForCurrentThread() => t_cached ??= new JsonLineWriter();

    public void WriteLine(EvtxRecord record, IBufferWriter<byte> output, RecordArena arena, int partStart, int partCount, int fieldStart, int fieldCount)
    {
        _output = output;
        Raw("{\"file\":"u8);
        var file = record.Chunk.EncodedFileName.EncodedUtf8Bytes;
        Raw("\""u8);
        Raw(file);
        Raw("\",\"record_id\":"u8);
        Number(record.RecordId);
        Raw(",\"timestamp\":"u8);
        if (EvtxValue.TryFileTime(record.WrittenFileTime, out var time))
        {
            var span = _output.GetSpan(40);
            span[0] = (byte)'"';
            time.TryFormat(span[1..], out var written, "O", CultureInfo.InvariantCulture);
            span[written + 1] = (byte)'"';
            _output.Advance(written + 2);
        }
        else
            Raw("null"u8);
        Raw(",\"event\":{"u8);
        for (var p = 0; p < partCount; p++)
        {
            ref readonly var part = ref arena.Parts[partStart + p];
            if (p > 0)
                Raw(","u8);
            Name(part.Name);
            switch (part.Kind)
            {
                case PartKind.System:
                    Section(arena, fieldStart, fieldCount, EvtxSection.System);
                    break;
                case PartKind.EventData:
                    Section(arena, fieldStart, fieldCount, EvtxSection.EventData);
                    break;
                case PartKind.Nested:
                    _fallbackBuffer.ResetWrittenCount();
                    _fallback.Reset(_fallbackBuffer);
                    EvtxRecord.WriteNested(_fallback, arena.Tokens, part.TokenStart);
                    _fallback.Flush();
                    Raw(_fallbackBuffer.WrittenSpan);
                    break;
            }
        }
        Raw("}}\n"u8);
        _output = null!;
    }

    private void Section(RecordArena arena, int fieldStart, int fieldCount, EvtxSection section)
    {
        Raw("{"u8);
        var first = true;
        for (var i = 0; i < fieldCount; i++)
        {
            ref readonly var field = ref arena.Fields[fieldStart + i];
            if (field.Section != section)
                continue;
            if (!first)
                Raw(","u8);
            first = false;
            Name(field.Name);
            if (field.ValueCount == 1 && !field.IsList)
                Value(arena.Values[field.ValueStart]);
            else
            {
                Raw("["u8);
                for (var v = 0; v < field.ValueCount; v++)
                {
                    if (v > 0)
                        Raw(","u8);
                    Value(arena.Values[field.ValueStart + v]);
                }
                Raw("]"u8);
            }
        }
        Raw("}"u8);
    }

    private void Name(string name)
    {
        if (!_names.TryGetValue(name, out var encoded))
        {
            var text = EvtxJson.Name(name).EncodedUtf8Bytes;
            encoded = new byte[text.Length + 3];
            encoded[0] = (byte)'"';
            text.CopyTo(encoded.AsSpan(1));
            encoded[^2] = (byte)'"';
            encoded[^1] = (byte)':';
            if (_names.Count < 20_000)
                _names[name] = encoded;
        }
        Raw(encoded);
    }

    private void Value(in EvtxValue value)
    {
        switch (value.Type)
        {
            case EvtxValueType.Null:
                Raw("null"u8);
                return;
            case EvtxValueType.String:
                value.TryGetChars(out var chars);
                if (!TryAscii(chars))
                    Fallback(value);
                return;
            case EvtxValueType.Int8 or EvtxValueType.Int16 or EvtxValueType.Int32 or EvtxValueType.Int64 when value.TryGetInt64(out var signed):
                Number(signed);
                return;
            case EvtxValueType.UInt8 or EvtxValueType.UInt16 or EvtxValueType.UInt32 or EvtxValueType.UInt64 when value.TryGetUInt64(out var unsigned):
                Number(unsigned);
                return;
            case EvtxValueType.Real32 or EvtxValueType.Real64 or EvtxValueType.Boolean or EvtxValueType.AnsiString:
                Fallback(value);
                return;
        }
        Span<char> text = stackalloc char[256];
        if (value.RawBytes.Length > 100 || !value.TryFormat(text, out var written) || !TryAscii(text[..written]))
            Fallback(value);
    }

    /// <summary>Writes printable ASCII as a JSON string, escaping quotes and backslashes; false (nothing written) otherwise.</summary>
    private bool TryAscii(ReadOnlySpan<char> chars)
    {
        if (chars.IndexOfAnyExceptInRange((char)0x20, (char)0x7E) >= 0)
            return false;
        var span = _output.GetSpan((chars.Length * 2) + 2);
        span[0] = (byte)'"';
        var position = 1;
        while (true)
        {
            var special = chars.IndexOfAny(QuoteOrBackslash);
            var plain = special < 0 ? chars : chars[..special];
            Ascii.FromUtf16(plain, span[position..], out var copied);
            position += copied;
            if (special < 0)
                break;
            span[position++] = (byte)'\\';
            span[position++] = (byte)chars[special];
            chars = chars[(special + 1)..];
        }
        span[position++] = (byte)'"';
        _output.Advance(position);
        return true;
    }

    private void Fallback(in EvtxValue value)
    {
        _fallbackBuffer.ResetWrittenCount();
        _fallback.Reset(_fallbackBuffer);
        value.WriteJsonValue(_fallback);
        _fallback.Flush();
        Raw(_fallbackBuffer.WrittenSpan);
    }

    private void Number(long number)
    {
        var span = _output.GetSpan(20);
        Utf8Formatter.TryFormat(number, span, out var written);
        _output.Advance(written);
    }

    private void Number(ulong number)
    {
        var span = _output.GetSpan(20);
        Utf8Formatter.TryFormat(number, span, out var written);
        _output.Advance(written);
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }
}
