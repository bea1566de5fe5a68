namespace Vigie.Formats.Syslog;

/// <summary>How a message was delimited on a stream (RFC 6587).</summary>
public enum SyslogFraming
{
    /// <summary>Ended by a line feed (non-transparent framing).</summary>
    LineFeed = 0,
    /// <summary>Preceded by its length in bytes and a space (octet counting, also RFC 5425 over TLS).</summary>
    OctetCounting,
    /// <summary>The rest of a stream that closed without a final line feed.</summary>
    EndOfStream,
}
