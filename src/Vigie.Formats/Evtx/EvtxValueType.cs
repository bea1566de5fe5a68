namespace Vigie.Formats.Evtx;

/// <summary>
/// The type of a value in an EVTX record, with the numbers Binary XML uses for it (MS-EVEN6 type system).
/// Values read from a record are always scalars: an array substitution becomes one value per item.
/// </summary>
public enum EvtxValueType : byte
{
    /// <summary>No value (an empty substitution or an empty element). Renders as an empty string, JSON <c>null</c>.</summary>
    Null = 0x00,
    /// <summary>UTF-16 string.</summary>
    String = 0x01,
    /// <summary>Single-byte string in a code page, read as Latin-1.</summary>
    AnsiString = 0x02,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 0x03,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 0x04,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 0x05,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 0x06,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 0x07,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 0x08,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 0x09,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 0x0A,
    /// <summary>Single-precision float.</summary>
    Real32 = 0x0B,
    /// <summary>Double-precision float.</summary>
    Real64 = 0x0C,
    /// <summary>Boolean stored as a 32-bit integer; renders <c>true</c> or <c>false</c>.</summary>
    Boolean = 0x0D,
    /// <summary>Bytes; renders as upper-case hexadecimal, as Windows does.</summary>
    Binary = 0x0E,
    /// <summary>GUID; renders upper-case in braces, as Windows does: <c>{5770385F-C22A-43E0-BF4C-06F5698FFBD9}</c>.</summary>
    Guid = 0x0F,
    /// <summary>Pointer-sized integer (32 or 64 bits); renders as <c>0x</c> followed by lower-case hexadecimal.</summary>
    SizeT = 0x10,
    /// <summary>FILETIME; renders as ISO 8601 UTC with 7 fractional digits: <c>2026-04-17T05:24:53.0920519Z</c>.</summary>
    FileTime = 0x11,
    /// <summary>SYSTEMTIME; renders like <see cref="FileTime"/> (milliseconds, then zeros).</summary>
    SystemTime = 0x12,
    /// <summary>Security identifier; renders as <c>S-1-5-18</c>.</summary>
    Sid = 0x13,
    /// <summary>32-bit integer shown in hexadecimal: <c>0x3e7</c>.</summary>
    HexInt32 = 0x14,
    /// <summary>64-bit integer shown in hexadecimal: <c>0x8000000000000000</c>.</summary>
    HexInt64 = 0x15,
    /// <summary>Event handle; renders as hexadecimal bytes.</summary>
    EvtHandle = 0x20,
    /// <summary>Nested Binary XML; its elements become fields and JSON objects of their own.</summary>
    BinXml = 0x21,
    /// <summary>Event XML; renders as hexadecimal bytes.</summary>
    EvtXml = 0x23,
}
