using System.Buffers;
using System.Text;
using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>The fast JSON-lines writer produces exactly the bytes of the Utf8JsonWriter rendering.</summary>
public sealed class EvtxJsonLineTests
{
    private static string ViaWriter(EvtxRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, EvtxJson.WriterOptions))
            record.WriteJson(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static string ViaLine(EvtxRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        record.WriteJsonLine(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [SkippableFact]
    public void Json_lines_equal_the_writer_rendering_on_every_regression_record()
    {
        var compared = 0;
        foreach (var file in EvtxTestData.RegressionFiles())
            foreach (var record in EvtxTestData.ReadAll(file).Records)
            {
                ViaLine(record).ShouldBe(ViaWriter(record), file);
                compared++;
            }
        compared.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Json_lines_escape_every_kind_of_text_as_the_writer_does()
    {
        var printable = new string(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).ToArray());
        string[] texts = [printable, "caf\u00e9 \u65e5\u672c \u2028 \U0001F600", "tab\there\nline\u0001\u007f", "C:\\Users\\\"quoted\"", "", "lone \ud800 surrogate"];
        var writer = new BinXmlChunkWriter();
        writer.BeginRecord();
        writer.FragmentHeader();
        writer.TemplateInstance(() =>
        {
            writer.Start("Event");
            writer.CloseStart();
            writer.Start("EventData");
            writer.CloseStart();
            for (var i = 0; i < texts.Length; i++)
            {
                writer.Start("Data", hasAttributes: true);
                writer.Attribute("Name");
                writer.Text($"Text{i}");
                writer.CloseStart();
                writer.Substitution((ushort)i, 0x01);
                writer.End();
            }
            writer.Start("Data", hasAttributes: true);
            writer.Attribute("Name");
            writer.Text("Ratio");
            writer.CloseStart();
            writer.Substitution((ushort)texts.Length, 0x0C);
            writer.End();
            writer.End();
            writer.End();
        }, [.. texts.Select(t => new TemplateValue(0x01, Encoding.Unicode.GetBytes(t))), new TemplateValue(0x0C, BitConverter.GetBytes(0.1))]);
        writer.Eof();
        writer.EndRecord();
        var record = EvtxTestData.ReadAll(EvtxTestData.BuildFile([writer.Finish()])).Records.Single();

        var line = ViaLine(record);

        line.ShouldBe(ViaWriter(record));
        var data = JsonDocument.Parse(line).RootElement.GetProperty("event").GetProperty("EventData");
        for (var i = 0; i < texts.Length - 1; i++)
            data.GetProperty($"Text{i}").GetString().ShouldBe(texts[i]);
        data.GetProperty($"Text{texts.Length - 1}").GetString().ShouldBe("lone \ufffd surrogate");
        data.GetProperty("Ratio").GetDouble().ShouldBe(0.1);
    }

    [SkippableFact]
    public void Json_lines_render_user_data_as_nested_objects()
    {
        var record = EvtxTestData.ReadAll(EvtxTestData.RegressionFile("win_wmi_activity_nteventlogfile_cleareventlog/")).Records.Single();

        var line = ViaLine(record);

        line.ShouldBe(ViaWriter(record));
        JsonDocument.Parse(line).RootElement.GetProperty("event").GetProperty("UserData")
            .GetProperty("Operation_ClientFailure").GetProperty("ClientProcessId").GetInt32().ShouldBe(25920);
    }
}
