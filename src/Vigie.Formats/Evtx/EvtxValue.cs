using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Vigie.Formats.Evtx;

/// <summary>
/// One value of an EVTX record: a typed view over the bytes of the record's chunk, decoded only when asked.
/// Strings can be read without copying (<see cref="TryGetChars"/>); <see cref="ToString"/> renders every type
/// as Windows shows it in event XML (see <see cref="EvtxValueType"/> for each type's rendering).
/// A value stays valid as long as it is referenced: it keeps its chunk's bytes alive.
/// </summary>
public readonly struct EvtxValue : ISpanFormattable
{
    private const long FileTimeEpochTicks = 504_911_232_000_000_000; // new DateTime(1601, 1, 1).Ticks

    // Either the chunk's bytes (offset and length in bytes) or a string built from several parts.
    // The type shares a word with the length (values are at most 64 KiB): 16 bytes per value instead of 24, and a
    // chunk keeps thousands of them.
    private readonly object? _source;
    private readonly int _offset;
    private readonly int _lengthAndType;

    internal EvtxValue(EvtxValueType type, byte[] chunk, int offset, int length)
    {
        _source = chunk;
        _offset = offset;
        _lengthAndType = (length & 0xFFFFFF) | ((int)type << 24);
    }

    internal EvtxValue(string text)
    {
        _source = text;
        _offset = 0;
        _lengthAndType = (int)EvtxValueType.String << 24;
    }

    private int StoredLength => _source is string text ? text.Length : _lengthAndType & 0xFFFFFF;

    /// <summary>The value's type as stored in the record.</summary>
    public EvtxValueType Type => (EvtxValueType)((uint)_lengthAndType >> 24);

    /// <summary>Where the value's bytes are in its chunk (-1 for text assembled from several parts); with the type, identifies a value of a template.</summary>
    internal int ChunkOffset => _source is byte[] ? _offset : -1;

    /// <summary>True for an empty substitution or an element with no content.</summary>
    public bool IsNull => Type == EvtxValueType.Null;

    /// <summary>The value's bytes as stored in the record (empty for text assembled from several parts).</summary>
    public ReadOnlySpan<byte> RawBytes => _source is byte[] bytes ? bytes.AsSpan(_offset, StoredLength) : default;

    /// <summary>
    /// The characters of a string value, without copying and without trailing NUL characters.
    /// False for values of other types (render them with <see cref="ToString"/> or <see cref="TryFormat(Span{char}, out int)"/>).
    /// </summary>
    public bool TryGetChars(out ReadOnlySpan<char> chars)
    {
        var length = StoredLength;
        if (Type != EvtxValueType.String)
        {
            chars = default;
            return false;
        }
        if (_source is string text)
            chars = text.AsSpan();
        else
            // EVTX strings are UTF-16 little-endian, the layout of .NET chars on the little-endian machines .NET runs on.
            chars = MemoryMarshal.Cast<byte, char>(((byte[])_source!).AsSpan(_offset, length & ~1));
        chars = chars.TrimEnd('\0');
        return true;
    }

    /// <summary>The value as a signed integer, for integer, boolean, hexadecimal and size types that fit, and decimal strings.</summary>
    public bool TryGetInt64(out long value)
    {
        if (Type == EvtxValueType.String)
        {
            TryGetChars(out var chars);
            return long.TryParse(chars, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
        if (TryGetUInt64Bits(out var bits, out var signed))
        {
            if (signed || bits <= long.MaxValue)
            {
                value = unchecked((long)bits);
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>The value as an unsigned integer, for non-negative integer, boolean, hexadecimal and size types, and decimal strings.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        if (Type == EvtxValueType.String)
        {
            TryGetChars(out var chars);
            return ulong.TryParse(chars, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
        if (TryGetUInt64Bits(out var bits, out var signed) && (!signed || unchecked((long)bits) >= 0))
        {
            value = bits;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>The date and time (UTC) of a FILETIME or SYSTEMTIME value.</summary>
    public bool TryGetDateTime(out DateTime value)
    {
        var raw = RawBytes;
        switch (Type)
        {
            case EvtxValueType.FileTime when raw.Length == 8:
                return TryFileTime(BinaryPrimitives.ReadInt64LittleEndian(raw), out value);
            case EvtxValueType.SystemTime when raw.Length == 16:
                return TrySystemTime(raw, out value);
            default:
                value = default;
                return false;
        }
    }

    internal static bool TryFileTime(long fileTime, out DateTime value)
    {
        if (fileTime >= 0 && fileTime <= DateTime.MaxValue.Ticks - FileTimeEpochTicks)
        {
            value = new DateTime(fileTime + FileTimeEpochTicks, DateTimeKind.Utc);
            return true;
        }
        value = default;
        return false;
    }

    private static bool TrySystemTime(ReadOnlySpan<byte> raw, out DateTime value)
    {
        int year = BinaryPrimitives.ReadUInt16LittleEndian(raw), month = BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]),
            day = BinaryPrimitives.ReadUInt16LittleEndian(raw[6..]), hour = BinaryPrimitives.ReadUInt16LittleEndian(raw[8..]),
            minute = BinaryPrimitives.ReadUInt16LittleEndian(raw[10..]), second = BinaryPrimitives.ReadUInt16LittleEndian(raw[12..]),
            millisecond = BinaryPrimitives.ReadUInt16LittleEndian(raw[14..]);
        if (year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && hour < 24 && minute < 60 && second < 60 && millisecond < 1000)
        {
            value = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);
            return true;
        }
        value = default;
        return false;
    }

    private bool TryGetUInt64Bits(out ulong bits, out bool signed)
    {
        var raw = RawBytes;
        signed = false;
        bits = 0;
        switch (Type)
        {
            case EvtxValueType.Int8 when raw.Length == 1: bits = unchecked((ulong)(sbyte)raw[0]); signed = true; return true;
            case EvtxValueType.UInt8 when raw.Length == 1: bits = raw[0]; return true;
            case EvtxValueType.Int16 when raw.Length == 2: bits = unchecked((ulong)BinaryPrimitives.ReadInt16LittleEndian(raw)); signed = true; return true;
            case EvtxValueType.UInt16 when raw.Length == 2: bits = BinaryPrimitives.ReadUInt16LittleEndian(raw); return true;
            case EvtxValueType.Int32 when raw.Length == 4: bits = unchecked((ulong)BinaryPrimitives.ReadInt32LittleEndian(raw)); signed = true; return true;
            case EvtxValueType.UInt32 or EvtxValueType.HexInt32 or EvtxValueType.Boolean or EvtxValueType.SizeT when raw.Length == 4:
                bits = BinaryPrimitives.ReadUInt32LittleEndian(raw); return true;
            case EvtxValueType.Int64 when raw.Length == 8: bits = BinaryPrimitives.ReadUInt64LittleEndian(raw); signed = true; return true;
            case EvtxValueType.UInt64 or EvtxValueType.HexInt64 or EvtxValueType.SizeT when raw.Length == 8:
                bits = BinaryPrimitives.ReadUInt64LittleEndian(raw); return true;
            case EvtxValueType.Boolean when raw.Length is 1 or 2:
                bits = raw.Length == 1 ? raw[0] : BinaryPrimitives.ReadUInt16LittleEndian(raw); return true;
            default: return false;
        }
    }

    /// <summary>True when the value is stored as a number (so JSON shows it as a number, not a string).</summary>
    public bool IsNumber => Type switch
    {
        EvtxValueType.Int8 or EvtxValueType.UInt8 or EvtxValueType.Int16 or EvtxValueType.UInt16 or EvtxValueType.Int32
            or EvtxValueType.UInt32 or EvtxValueType.Int64 or EvtxValueType.UInt64 => TryGetUInt64Bits(out _, out _),
        EvtxValueType.Real32 => RawBytes.Length == 4 && float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(RawBytes)),
        EvtxValueType.Real64 => RawBytes.Length == 8 && double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(RawBytes)),
        _ => false,
    };

    /// <summary>The value rendered as Windows renders it in event XML (without XML escaping).</summary>
    public override string ToString()
    {
        if (Type == EvtxValueType.String)
        {
            TryGetChars(out var chars);
            return _source is string text && chars.Length == text.Length ? text : new string(chars);
        }
        if (Type == EvtxValueType.AnsiString)
            return Encoding.Latin1.GetString(RawBytes).TrimEnd('\0');
        if (Type == EvtxValueType.Null)
            return string.Empty;
        Span<char> small = stackalloc char[128];
        if (TryFormat(small, out var written))
            return new string(small[..written]);
        var rented = ArrayPool<char>.Shared.Rent(MaxFormattedLength);
        try
        {
            TryFormat(rented, out written);
            return new string(rented, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    // The longest rendering: binary values as two hex digits per byte.
    private int MaxFormattedLength => Math.Max(128, (StoredLength * 2) + 8);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    /// <summary>Renders the value (as <see cref="ToString"/> does) into <paramref name="destination"/> without allocating.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        var raw = RawBytes;
        charsWritten = 0;
        switch (Type)
        {
            case EvtxValueType.Null:
                return true;
            case EvtxValueType.String:
                TryGetChars(out var chars);
                charsWritten = chars.Length;
                return chars.TryCopyTo(destination);
            case EvtxValueType.AnsiString:
                var ansi = raw.TrimEnd((byte)0);
                if (ansi.Length > destination.Length)
                    return false;
                charsWritten = Encoding.Latin1.GetChars(ansi, destination);
                return true;
            case EvtxValueType.Int8 or EvtxValueType.Int16 or EvtxValueType.Int32 or EvtxValueType.Int64 when TryGetInt64(out var signedValue):
                return signedValue.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
            case EvtxValueType.UInt8 or EvtxValueType.UInt16 or EvtxValueType.UInt32 or EvtxValueType.UInt64 when TryGetUInt64(out var unsignedValue):
                return unsignedValue.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);
            case EvtxValueType.Real32 when raw.Length == 4:
                return BinaryPrimitives.ReadSingleLittleEndian(raw).TryFormat(destination, out charsWritten, "R", CultureInfo.InvariantCulture);
            case EvtxValueType.Real64 when raw.Length == 8:
                return BinaryPrimitives.ReadDoubleLittleEndian(raw).TryFormat(destination, out charsWritten, "R", CultureInfo.InvariantCulture);
            case EvtxValueType.Boolean when TryGetUInt64Bits(out var flag, out _):
                return (flag != 0 ? "true" : "false").TryCopyTo(destination) && SetWritten(flag != 0 ? 4 : 5, out charsWritten);
            case EvtxValueType.HexInt32 or EvtxValueType.HexInt64 or EvtxValueType.SizeT when TryGetUInt64Bits(out var hex, out _):
                if (destination.Length < 3)
                    return false;
                destination[0] = '0';
                destination[1] = 'x';
                if (!hex.TryFormat(destination[2..], out var digits, "x", CultureInfo.InvariantCulture))
                    return false;
                charsWritten = digits + 2;
                return true;
            case EvtxValueType.Guid when raw.Length == 16:
                if (!new Guid(raw).TryFormat(destination, out charsWritten, "B"))
                    return false;
                ToUpperHex(destination[..charsWritten]);
                return true;
            case EvtxValueType.FileTime or EvtxValueType.SystemTime when TryGetDateTime(out var time):
                // "O" on a UTC DateTime is ISO 8601 with 7 fractional digits and a Z: the FILETIME's full precision.
                return time.TryFormat(destination, out charsWritten, "O", CultureInfo.InvariantCulture);
            case EvtxValueType.Sid when TryFormatSid(raw, destination, out charsWritten):
                return true;
            default:
                return Convert.TryToHexString(raw, destination, out charsWritten);
        }
    }

    private static bool SetWritten(int count, out int charsWritten)
    {
        charsWritten = count;
        return true;
    }

    private static void ToUpperHex(Span<char> text)
    {
        for (var i = 0; i < text.Length; i++)
            if (text[i] is >= 'a' and <= 'f')
                text[i] = (char)(text[i] - ('a' - 'A'));
    }

    internal static bool TryFormatSid(ReadOnlySpan<byte> raw, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (raw.Length < 8)
            return false;
        var count = raw[1];
        if (raw.Length != 8 + (4 * count))
            return false;
        ulong authority = 0;
        for (var i = 2; i < 8; i++)
            authority = (authority << 8) | raw[i];
        var position = 0;
        if (!TryAppend(destination, ref position, "S-") || !TryAppendNumber(destination, ref position, raw[0])
            || !TryAppend(destination, ref position, "-") || !TryAppendNumber(destination, ref position, authority))
            return false;
        for (var i = 0; i < count; i++)
            if (!TryAppend(destination, ref position, "-")
                || !TryAppendNumber(destination, ref position, BinaryPrimitives.ReadUInt32LittleEndian(raw[(8 + (4 * i))..])))
                return false;
        charsWritten = position;
        return true;
    }

    private static bool TryAppend(Span<char> destination, ref int position, string text)
    {
        if (!text.TryCopyTo(destination[position..]))
            return false;
        position += text.Length;
        return true;
    }

    private static bool TryAppendNumber(Span<char> destination, ref int position, ulong number)
    {
        if (!number.TryFormat(destination[position..], out var written, default, CultureInfo.InvariantCulture))
            return false;
        position += written;
        return true;
    }

    /// <summary>
    /// Writes the value as JSON: integers and finite floats as numbers, booleans as <c>true</c>/<c>false</c>,
    /// null values as <c>null</c>, everything else as the string <see cref="ToString"/> gives.
    /// </summary>
    public void WriteJsonValue(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var raw = RawBytes;
        switch (Type)
        {
            case EvtxValueType.Null:
                writer.WriteNullValue();
                return;
            case EvtxValueType.String:
                TryGetChars(out var chars);
                WriteJsonString(writer, chars);
                return;
            case EvtxValueType.Int8 or EvtxValueType.Int16 or EvtxValueType.Int32 or EvtxValueType.Int64 when TryGetInt64(out var signedValue):
                writer.WriteNumberValue(signedValue);
                return;
            case EvtxValueType.UInt8 or EvtxValueType.UInt16 or EvtxValueType.UInt32 or EvtxValueType.UInt64 when TryGetUInt64(out var unsignedValue):
                writer.WriteNumberValue(unsignedValue);
                return;
            case EvtxValueType.Real32 or EvtxValueType.Real64 when IsNumber:
                writer.WriteNumberValue(raw.Length == 4 ? BinaryPrimitives.ReadSingleLittleEndian(raw) : BinaryPrimitives.ReadDoubleLittleEndian(raw));
                return;
            case EvtxValueType.Boolean when TryGetUInt64Bits(out var flag, out _):
                writer.WriteBooleanValue(flag != 0);
                return;
        }
        if (StoredLength <= 200)
        {
            Span<char> small = stackalloc char[512];
            if (TryFormat(small, out var written))
            {
                WriteJsonString(writer, small[..written]);
                return;
            }
        }
        var rented = ArrayPool<char>.Shared.Rent(MaxFormattedLength);
        try
        {
            TryFormat(rented, out var written);
            WriteJsonString(writer, rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Writes a string as JSON, replacing unpaired surrogates (which JSON cannot carry) with U+FFFD.</summary>
    internal static void WriteJsonString(Utf8JsonWriter writer, ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            writer.WriteStringValue(text);
            return;
        }
        var rented = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var copy = rented.AsSpan(0, text.Length);
            text.CopyTo(copy);
            EvtxJson.ReplaceUnpairedSurrogates(copy);
            writer.WriteStringValue(copy);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
