using System.Buffers;
using System.Text;
using Vigie.Formats.Syslog;

namespace Vigie.Server.Tests.Ingestion;

public sealed class SyslogFramingTests
{
    private static List<(string Text, bool Truncated)> Decode(SyslogFrameDecoder decoder, params byte[][] chunks)
    {
        var frames = new List<(string, bool)>();
        var pending = Array.Empty<byte>();
        for (var i = 0; i < chunks.Length; i++)
        {
            var data = new ReadOnlySequence<byte>([.. pending, .. chunks[i]]);
            var completed = i == chunks.Length - 1;
            while (decoder.TryRead(ref data, completed, out var frame))
                frames.Add((Encoding.UTF8.GetString(frame.Data), frame.Truncated));
            pending = data.ToArray();
        }
        return frames;
    }

    [Fact]
    public void Octet_counted_and_line_feed_messages_mix_on_one_stream()
    {
        var frames = Decode(new SyslogFrameDecoder(), Encoding.UTF8.GetBytes("11 <13>a b\nc d<13>line one\r\n<13>line two\n5 hello"));
        frames.Select(f => f.Text).ShouldBe(["<13>a b\nc d", "<13>line one", "<13>line two", "hello"]);
    }

    [Fact]
    public void A_message_split_across_reads_is_put_back_together()
    {
        var frames = Decode(new SyslogFrameDecoder(), Encoding.UTF8.GetBytes("2"), Encoding.UTF8.GetBytes("0 <13>twenty bytes..."), Encoding.UTF8.GetBytes(".<14>x\n"));
        frames.Select(f => f.Text).ShouldBe(["<13>twenty bytes....", "<14>x"]);
    }

    [Fact]
    public void An_oversized_line_is_cut_flagged_and_the_next_message_survives()
    {
        var big = new string('A', 100);
        var frames = Decode(new SyslogFrameDecoder(32), Encoding.UTF8.GetBytes(big + "\n<13>next\n"));
        frames.Count.ShouldBe(2);
        frames[0].Truncated.ShouldBeTrue();
        frames[0].Text.ShouldBe(big[..32]);
        frames[1].ShouldBe(("<13>next", false));
    }

    [Fact]
    public void An_oversized_octet_counted_frame_is_cut_and_its_rest_skipped()
    {
        var frames = Decode(new SyslogFrameDecoder(20), Encoding.UTF8.GetBytes("40 " + new string('B', 40) + "4 next"));
        frames.ShouldBe([(new string('B', 20), true), ("next", false)]);
    }

    [Fact]
    public void A_length_that_is_not_followed_by_a_space_is_a_line()
    {
        var frames = Decode(new SyslogFrameDecoder(), Encoding.UTF8.GetBytes("123abc\n"));
        frames.ShouldBe([("123abc", false)]);
    }
}
