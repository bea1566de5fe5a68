using System.Buffers;

namespace Vigie.Formats.Syslog;

/// <summary>One message cut from a stream; <see cref="Data"/> is valid until the buffer it came from is advanced.</summary>
/// <param name="Data">The message bytes, without framing.</param>
/// <param name="Framing">How it was delimited.</param>
/// <param name="DeclaredLength">The length the sender announced (octet counting) or, for a truncated line, the bytes kept.</param>
/// <param name="Truncated">Whether the message was longer than the decoder's limit and was cut there (the rest is skipped).</param>
public readonly record struct SyslogFrame(ReadOnlySequence<byte> Data, SyslogFraming Framing, long DeclaredLength, bool Truncated);
