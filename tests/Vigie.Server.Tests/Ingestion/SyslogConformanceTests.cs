using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Formats.Syslog;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>rsyslog's own parser cases: priority, facility, severity, timestamp, host, program, tag and message as rsyslog gives them.</summary>
public sealed class SyslogConformanceTests
{
    private const string LocalHost = "$RS_HOSTNAME";

    public static IEnumerable<object[]> Cases()
    {
        var file = CollectionData.Path("syslog", "rsyslog", "parsertest-parse1.cases.jsonl");
        if (!File.Exists(file))
        {
            yield return [0, "", "", ""];
            yield break;
        }
        var n = 0;
        foreach (var line in File.ReadLines(file))
        {
            if (line.Trim().Length == 0)
                continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            yield return [++n, root.GetProperty("input").GetString()!, root.GetProperty("expected_csv").GetString()!, root.GetProperty("template").GetString()!];
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Parse_gives_what_rsyslog_gives(int number, string input, string expected, string template)
    {
        CollectionData.Require("syslog", "rsyslog", "parsertest-parse1.cases.jsonl");
        template.ShouldBe("%PRI%,%syslogfacility-text%,%syslogseverity-text%,%timestamp%,%hostname%,%programname%,%syslogtag%,%msg%");
        // The shell script that produced the expectations sends \" through tcpflood, which keeps the backslash;
        // the JSON rendering of the input dropped it. Compare without it.
        expected = expected.Replace("\\\"", "\"", StringComparison.Ordinal);
        var received = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var m = SyslogParser.Parse(Encoding.UTF8.GetBytes(input), received);
        var actual = string.Join(',',
            m.Priority.ToString(CultureInfo.InvariantCulture),
            SyslogNames.Facility(m.Facility),
            SyslogNames.Severity(m.Severity),
            m.Timestamp is { } t ? Rfc3164Stamp(t) : "(none)",
            m.Hostname ?? LocalHost,
            m.ProgramName,
            m.Tag,
            m.Message);
        actual.ShouldBe(expected, $"case {number}: {input}");
    }

    private static string Rfc3164Stamp(DateTimeOffset t) =>
        t.ToString("MMM", CultureInfo.InvariantCulture) + " " + t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " " + t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    [Fact]
    public void Rfc5424_keeps_time_zone_fraction_structured_data_and_bom()
    {
        var bytes = Encoding.UTF8.GetBytes("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 ID7 [a@1 x=\"q\\\"uote\" y=\"b\\]r\"][b@2 z=\"\"] ").Concat(new byte[] { 0xEF, 0xBB, 0xBF }).Concat(Encoding.UTF8.GetBytes("été")).ToArray();
        var m = SyslogParser.Parse(bytes, DateTimeOffset.UtcNow);
        m.Format.ShouldBe(SyslogFormat.Rfc5424);
        m.Timestamp.ShouldBe(new DateTimeOffset(2003, 8, 24, 5, 14, 15, TimeSpan.FromHours(-7)).AddTicks(30));
        m.Hostname.ShouldBe("192.0.2.1");
        m.ProcId.ShouldBe("8710");
        m.MsgId.ShouldBe("ID7");
        m.StructuredData.Select(e => e.Id).ShouldBe(["a@1", "b@2"]);
        m.StructuredData[0].Parameters.ShouldBe([new("x", "q\"uote"), new("y", "b]r")]);
        m.HadBom.ShouldBeTrue();
        m.Message.ShouldBe("été");
    }

    [Fact]
    public void Rfc3164_without_year_takes_the_year_before_reception_when_the_date_would_be_ahead()
    {
        var received = new DateTimeOffset(2027, 1, 1, 0, 5, 0, TimeSpan.Zero);
        SyslogParser.Parse("<13>Dec 31 23:59:00 host tag: x"u8, received).Timestamp!.Value.Year.ShouldBe(2026);
        SyslogParser.Parse("<13>Jan  1 00:04:00 host tag: x"u8, received).Timestamp!.Value.Year.ShouldBe(2027);
    }

    [Theory]
    [InlineData(new byte[] { 0, 1, 2, 255, 254, 0x80, 10, 13 })]
    [InlineData(new byte[] { (byte)'<', (byte)'9', (byte)'9', (byte)'9', (byte)'>', (byte)'1', (byte)' ' })]
    [InlineData(new byte[] { (byte)'<', (byte)'1', (byte)'>', (byte)'1', (byte)' ', (byte)'2', (byte)'0' })]
    [InlineData(new byte[] { (byte)'<', (byte)'1', (byte)'>', (byte)'1', (byte)' ', (byte)'-', (byte)' ', (byte)'h', (byte)' ', (byte)'a', (byte)' ', (byte)'p', (byte)' ', (byte)'m', (byte)' ', (byte)'[', (byte)'x' })]
    public void Garbage_is_parsed_without_throwing_and_keeps_its_text(byte[] input)
    {
        var m = SyslogParser.Parse(input, DateTimeOffset.UtcNow);
        (m.Message + m.Tag + m.Hostname).Length.ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20261122);
        var buffer = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (i % 3 == 0 && length > 6)
                "<34>1 "u8.CopyTo(buffer);
            else if (i % 3 == 1 && length > 20)
                "<13>Oct 11 22:14:15 "u8.CopyTo(buffer);
            _ = SyslogParser.Parse(buffer.AsSpan(0, length), DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public void Invalid_utf8_is_flagged_and_replaced()
    {
        var m = SyslogParser.Parse([.. "<13>Oct 11 22:14:15 host prog: caf"u8, 0xE9, .. " au lait"u8], DateTimeOffset.UtcNow);
        m.InvalidUtf8.ShouldBeTrue();
        m.Message.ShouldBe(" caf\uFFFD au lait");
    }
}
