using System.Buffers;

namespace Vigie.Formats.Syslog;

/// <summary>
/// Cuts a syslog byte stream into messages, one connection at a time, telling octet-counted frames
/// (<c>LEN SP MSG</c>) from line-feed-terminated ones by their first byte, as RFC 6587 suggests receivers do.
/// A message longer than the limit is cut at the limit and flagged, and the rest of it is skipped, so one
/// oversized or unterminated message can neither exhaust memory nor swallow the messages after it.
/// </summary>
public sealed class SyslogFrameDecoder
{
    private readonly int _maxLength;
    private long _skipBytes;
    private bool _skipToLineFeed;

    /// <summary>Creates a decoder for one stream.</summary>
    /// <param name="maxLength">The longest message kept whole, in bytes (64 KiB by default).</param>
    public SyslogFrameDecoder(int maxLength = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 16);
        _maxLength = maxLength;
    }

    /// <summary>The longest message kept whole.</summary>
    public int MaxLength => _maxLength;

    /// <summary>
    /// Cuts the next message from <paramref name="buffer"/> and moves <paramref name="buffer"/> past it. Returns false
    /// when more bytes are needed; with <paramref name="completed"/> (the stream ended) the remaining bytes form a last message.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, bool completed, out SyslogFrame frame)
    {
        frame = default;
        while (true)
        {
            if (_skipBytes > 0)
            {
                var skip = Math.Min(_skipBytes, buffer.Length);
                buffer = buffer.Slice(skip);
                _skipBytes -= skip;
                if (_skipBytes > 0)
                    return false;
            }
            if (_skipToLineFeed)
            {
                var lf = buffer.PositionOf((byte)'\n');
                if (lf is null)
                {
                    buffer = buffer.Slice(buffer.End);
                    return false;
                }
                buffer = buffer.Slice(buffer.GetPosition(1, lf.Value));
                _skipToLineFeed = false;
            }
            // Stray separators between frames (a line feed after an octet-counted frame, NUL padding).
            var reader = new SequenceReader<byte>(buffer);
            var skipped = reader.AdvancePastAny((byte)'\n', (byte)'\r', (byte)'\0');
            if (skipped > 0)
                buffer = buffer.Slice(skipped);
            if (buffer.IsEmpty)
                return false;

            var first = buffer.FirstSpan[0];
            if (first is >= (byte)'1' and <= (byte)'9')
            {
                var decision = TryOctetCounting(ref buffer, completed, out frame);
                if (decision == Decision.Frame)
                    return true;
                if (decision == Decision.NeedMore)
                    return false;
                if (decision == Decision.Skipping)
                    continue;
            }
            return TryLine(ref buffer, completed, out frame);
        }
    }

    private enum Decision
    {
        NotOctetCounting,
        NeedMore,
        Frame,
        Skipping,
    }

    private Decision TryOctetCounting(ref ReadOnlySequence<byte> buffer, bool completed, out SyslogFrame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        long length = 0;
        var digits = 0;
        while (reader.TryRead(out var b))
        {
            if (b == ' ')
            {
                if (digits == 0)
                    return Decision.NotOctetCounting;
                var header = digits + 1;
                if (length <= _maxLength)
                {
                    if (buffer.Length - header < length)
                        return completed ? Decision.NotOctetCounting : Decision.NeedMore;
                    frame = new SyslogFrame(buffer.Slice(header, length), SyslogFraming.OctetCounting, length, false);
                    buffer = buffer.Slice(header + length);
                    return Decision.Frame;
                }
                if (buffer.Length - header < _maxLength && !completed)
                    return Decision.NeedMore;
                var kept = Math.Min(_maxLength, buffer.Length - header);
                frame = new SyslogFrame(buffer.Slice(header, kept), SyslogFraming.OctetCounting, length, true);
                buffer = buffer.Slice(header + kept);
                _skipBytes = length - kept;
                return Decision.Frame;
            }
            if (b is < (byte)'0' or > (byte)'9' || ++digits > 10)
                return Decision.NotOctetCounting;
            length = length * 10 + (b - '0');
        }
        return completed ? Decision.NotOctetCounting : Decision.NeedMore;
    }

    private bool TryLine(ref ReadOnlySequence<byte> buffer, bool completed, out SyslogFrame frame)
    {
        var lf = buffer.PositionOf((byte)'\n');
        if (lf is { } position)
        {
            var line = buffer.Slice(0, position);
            buffer = buffer.Slice(buffer.GetPosition(1, position));
            if (line.Length > _maxLength)
            {
                frame = new SyslogFrame(line.Slice(0, _maxLength), SyslogFraming.LineFeed, line.Length, true);
                return true;
            }
            frame = new SyslogFrame(TrimCarriageReturn(line), SyslogFraming.LineFeed, line.Length, false);
            return true;
        }
        if (buffer.Length >= _maxLength)
        {
            // No line feed within the limit: keep the first part, skip the rest of the line.
            frame = new SyslogFrame(buffer.Slice(0, _maxLength), SyslogFraming.LineFeed, _maxLength, true);
            buffer = buffer.Slice(_maxLength);
            _skipToLineFeed = true;
            return true;
        }
        if (completed && !buffer.IsEmpty)
        {
            frame = new SyslogFrame(TrimCarriageReturn(buffer), SyslogFraming.EndOfStream, buffer.Length, false);
            buffer = buffer.Slice(buffer.End);
            return true;
        }
        frame = default;
        return false;
    }

    private static ReadOnlySequence<byte> TrimCarriageReturn(ReadOnlySequence<byte> line)
    {
        while (line.Length > 0)
        {
            var last = line.Slice(line.Length - 1).FirstSpan[0];
            if (last is not ((byte)'\r' or 0))
                break;
            line = line.Slice(0, line.Length - 1);
        }
        return line;
    }
}
