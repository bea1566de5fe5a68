using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Records written byte by byte (see <see cref="BinXmlChunkWriter"/>) with every value type, arrays, nested
/// Binary XML, optional substitutions, character and entity references, CDATA and records without a template.
/// </summary>
public sealed class EvtxBinaryXmlTests
{
    private static TemplateValue V(byte type, byte[] data) => new(type, data);

    private static byte[] Le(long value, int size)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes[..size];
    }

    private static string Iso(long fileTime) =>
        DateTime.FromFileTimeUtc(fileTime).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly byte[] LocalSystemSid = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
    private static readonly Guid SampleGuid = new("5770385f-c22a-43e0-bf4c-06f5698ffbd9");

    private static readonly (string Name, byte Type, byte[] Data, string Text, string Json)[] Scalars =
    [
        ("Int8", 0x03, [0xFE], "-2", "-2"),
        ("UInt8", 0x04, [0xFE], "254", "254"),
        ("Int16", 0x05, Le(-300, 2), "-300", "-300"),
        ("UInt16", 0x06, Le(65000, 2), "65000", "65000"),
        ("Int32", 0x07, Le(-70000, 4), "-70000", "-70000"),
        ("UInt32", 0x08, Le(4000000000, 4), "4000000000", "4000000000"),
        ("Int64", 0x09, Le(-5000000000, 8), "-5000000000", "-5000000000"),
        ("UInt64", 0x0A, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "18446744073709551615", "18446744073709551615"),
        ("Real32", 0x0B, BitConverter.GetBytes(1.5f), "1.5", "1.5"),
        ("Real64", 0x0C, BitConverter.GetBytes(-0.25), "-0.25", "-0.25"),
        ("Boolean", 0x0D, Le(1, 4), "true", "true"),
        ("Binary", 0x0E, [0xD9, 0x06, 0x00, 0x0A], "D906000A", "\"D906000A\""),
        ("Guid", 0x0F, SampleGuid.ToByteArray(), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", "\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\""),
        ("SizeT", 0x10, Le(0x7FF6_1234, 8), "0x7ff61234", "\"0x7ff61234\""),
        ("FileTime", 0x11, Le(134_000_000_001_234_567, 8), Iso(134_000_000_001_234_567), $"\"{Iso(134_000_000_001_234_567)}\""),
        ("SystemTime", 0x12, [0xE9, 0x07, 3, 0, 0, 0, 20, 0, 8, 0, 31, 0, 26, 0, 0xEE, 0x02], "2025-03-20T08:31:26.7500000Z", "\"2025-03-20T08:31:26.7500000Z\""),
        ("Sid", 0x13, LocalSystemSid, "S-1-5-18", "\"S-1-5-18\""),
        ("HexInt32", 0x14, Le(0x3E7, 4), "0x3e7", "\"0x3e7\""),
        ("HexInt64", 0x15, Le(unchecked((long)0x8000000000000000), 8), "0x8000000000000000", "\"0x8000000000000000\""),
        ("AnsiString", 0x02, Encoding.Latin1.GetBytes("caf\u00e9\0"), "caf\u00e9", "\"caf\u00e9\""),
        ("String", 0x01, Encoding.Unicode.GetBytes("C:\\Windows\\cmd.exe\0"), "C:\\Windows\\cmd.exe", "\"C:\\\\Windows\\\\cmd.exe\""),
    ];

    private static EvtxRecord WriteAndRead(Action<BinXmlChunkWriter> write, out IReadOnlyList<EvtxDiagnostic> diagnostics)
    {
        var writer = new BinXmlChunkWriter();
        writer.BeginRecord();
        write(writer);
        writer.EndRecord();
        var (records, found) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([writer.Finish()]));
        diagnostics = found;
        return records.ShouldHaveSingleItem();
    }

    private static EvtxRecord EveryValueType(out IReadOnlyList<EvtxDiagnostic> diagnostics) => WriteAndRead(w =>
    {
        w.FragmentHeader();
        var values = new List<TemplateValue>
        {
            V(0x06, Le(4688, 2)),
            V(0x00, []), // optional, empty: the ActivityID attribute is left out
            V(0x13, LocalSystemSid),
            V(0x81, Encoding.Unicode.GetBytes("alpha\0beta\0gamma\0")),
            V(0x86, [1, 0, 2, 0, 3, 0]),
            V(0x00, []), // optional, empty content of a Data element
        };
        var first = values.Count;
        values.AddRange(Scalars.Select(s => V(s.Type, s.Data)));
        values.Add(new TemplateValue(0x21, at => BinXmlChunkWriter.Nested(at, n =>
        {
            n.FragmentHeader();
            n.TemplateInstance(() =>
            {
                n.Start("Inner");
                n.CloseStart();
                n.Start("Leaf");
                n.CloseStart();
                n.Substitution(0, 0x01);
                n.End();
                n.End();
            }, [V(0x01, Encoding.Unicode.GetBytes("nested value"))]);
            n.Eof();
        })));
        w.TemplateInstance(() =>
        {
            w.Start("Event");
            w.CloseStart();
            w.Start("System");
            w.CloseStart();
            w.Start("Provider", hasAttributes: true);
            w.Attribute("Name");
            w.Text("Test-Provider");
            w.CloseEmpty();
            w.Start("EventID");
            w.CloseStart();
            w.Substitution(0, 0x06);
            w.End();
            w.Start("Correlation", hasAttributes: true);
            w.Attribute("ActivityID");
            w.Substitution(1, 0x0F, optional: true);
            w.CloseEmpty();
            w.Start("Security", hasAttributes: true);
            w.Attribute("UserID");
            w.Substitution(2, 0x13, optional: true);
            w.CloseEmpty();
            w.Start("Channel");
            w.CloseStart();
            w.Text("Test/Operational");
            w.End();
            w.End();
            w.Start("EventData");
            w.CloseStart();
            void Data(string? name, Action content)
            {
                w.Start("Data", hasAttributes: name is not null);
                if (name is not null)
                {
                    w.Attribute("Name");
                    w.Text(name);
                }
                w.CloseStart();
                content();
                w.End();
            }
            Data("Strings", () => w.Substitution(3, 0x81));
            Data("Numbers", () => w.Substitution(4, 0x86));
            Data("Empty", () => w.Substitution(5, 0x01, optional: true));
            for (var i = 0; i < Scalars.Length; i++)
            {
                var index = (ushort)(first + i);
                Data(Scalars[i].Name, () => w.Substitution(index, Scalars[i].Type));
            }
            Data("Escaped", () =>
            {
                w.Text("a", more: true);
                w.CharRef('&', more: true);
                w.EntityRef("lt", more: true);
                w.CData("b");
            });
            Data(null, () => w.Text("first"));
            Data(null, () => w.Text("second"));
            Data("Nested", () => w.Substitution((ushort)(first + Scalars.Length), 0x21));
            w.End();
            w.End();
        }, values);
        w.Eof();
    }, out diagnostics);

    [Fact]
    public void Every_scalar_type_renders_as_Windows_renders_it()
    {
        var record = EveryValueType(out var diagnostics);

        diagnostics.ShouldBeEmpty();
        var data = JsonDocument.Parse(record.ToJson()).RootElement.GetProperty("event").GetProperty("EventData");
        foreach (var (name, type, _, text, json) in Scalars)
        {
            record.TryGetField(name, out var field).ShouldBeTrue(name);
            field.Value.Type.ShouldBe((EvtxValueType)type, name);
            field.Value.ToString().ShouldBe(text, name);
            data.GetProperty(name).GetRawText().ShouldBe(json, name);
        }
    }

    [Fact]
    public void Integers_and_times_are_readable_as_numbers_and_dates()
    {
        var record = EveryValueType(out _);

        record.TryGetValue("Int64", out var int64).ShouldBeTrue();
        int64.TryGetInt64(out var signed).ShouldBeTrue();
        signed.ShouldBe(-5000000000);
        record.TryGetValue("HexInt32", out var hex).ShouldBeTrue();
        hex.TryGetUInt64(out var unsigned).ShouldBeTrue();
        unsigned.ShouldBe(0x3E7UL);
        record.TryGetValue("SystemTime", out var time).ShouldBeTrue();
        time.TryGetDateTime(out var when).ShouldBeTrue();
        when.ShouldBe(new DateTime(2025, 3, 20, 8, 31, 26, 750, DateTimeKind.Utc));
        record.EventId.ShouldBe(4688);
    }

    [Fact]
    public void Arrays_become_fields_with_one_value_per_item()
    {
        var record = EveryValueType(out _);

        record.TryGetField("Strings", out var strings).ShouldBeTrue();
        strings.Values.ToArray().Select(v => v.ToString()).ShouldBe(["alpha", "beta", "gamma"]);
        record.TryGetField("Numbers", out var numbers).ShouldBeTrue();
        numbers.Values.ToArray().Select(v => v.ToString()).ShouldBe(["1", "2", "3"]);
        numbers.IsList.ShouldBeTrue();
        var data = JsonDocument.Parse(record.ToJson()).RootElement.GetProperty("event").GetProperty("EventData");
        data.GetProperty("Strings").GetRawText().ShouldBe("[\"alpha\",\"beta\",\"gamma\"]");
        data.GetProperty("Numbers").GetRawText().ShouldBe("[1,2,3]");
    }

    [Fact]
    public void Unnamed_Data_elements_form_one_Data_field()
    {
        var record = EveryValueType(out _);

        record.TryGetField("Data", out var field).ShouldBeTrue();
        field.Values.ToArray().Select(v => v.ToString()).ShouldBe(["first", "second"]);
    }

    [Fact]
    public void Nested_binary_xml_contributes_its_leaves()
    {
        var record = EveryValueType(out _);

        record.TryGetField("Leaf", out var leaf).ShouldBeTrue();
        leaf.Value.ToString().ShouldBe("nested value");
        leaf.Section.ShouldBe(EvtxSection.EventData);
    }

    [Fact]
    public void Optional_empty_substitutions_drop_attributes_and_leave_empty_data()
    {
        var record = EveryValueType(out _);

        record.TryGetField("Correlation_ActivityID", out _).ShouldBeFalse();
        record.TryGetField("UserID", out var user).ShouldBeTrue();
        user.Value.ToString().ShouldBe("S-1-5-18");
        record.TryGetField("Empty", out var empty).ShouldBeTrue();
        empty.Value.IsNull.ShouldBeTrue();
        empty.ToString().ShouldBe("");
        JsonDocument.Parse(record.ToJson()).RootElement.GetProperty("event").GetProperty("EventData").GetProperty("Empty").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Character_and_entity_references_and_cdata_join_the_text()
    {
        var record = EveryValueType(out _);

        record.TryGetValue("Escaped", out var value).ShouldBeTrue();
        value.ToString().ShouldBe("a&<b");
    }

    [Fact]
    public void A_record_without_template_is_read_from_its_elements()
    {
        var record = WriteAndRead(w =>
        {
            w.FragmentHeader();
            w.Start("Event");
            w.CloseStart();
            w.Start("System");
            w.CloseStart();
            w.Start("EventID");
            w.CloseStart();
            w.Text("7");
            w.End();
            w.End();
            w.Start("UserData");
            w.CloseStart();
            w.Start("LogFileCleared", hasAttributes: true);
            w.Attribute("xmlns");
            w.Text("http://manifests.microsoft.com/win/2004/08/windows/eventlog");
            w.CloseStart();
            w.Start("SubjectUserName");
            w.CloseStart();
            w.Text("admin");
            w.End();
            w.End();
            w.End();
            w.End();
            w.Eof();
        }, out var diagnostics);

        diagnostics.ShouldBeEmpty();
        record.EventId.ShouldBe(7);
        record.TryGetValue("SubjectUserName", out var user).ShouldBeTrue();
        user.ToString().ShouldBe("admin");
        var userData = JsonDocument.Parse(record.ToJson()).RootElement.GetProperty("event").GetProperty("UserData");
        userData.GetProperty("LogFileCleared").GetProperty("SubjectUserName").GetString().ShouldBe("admin");
    }

    [Fact]
    public void An_element_without_dependency_identifier_inside_nested_binary_xml_is_read()
    {
        var record = WriteAndRead(w =>
        {
            w.FragmentHeader();
            w.TemplateInstance(() =>
            {
                w.Start("Event");
                w.CloseStart();
                w.Start("UserData");
                w.CloseStart();
                w.Substitution(0, 0x21);
                w.End();
                w.End();
            }, [new TemplateValue(0x21, at => BinXmlChunkWriter.Nested(at, n =>
            {
                n.Start("Operation", withDependency: false);
                n.CloseStart();
                n.Text("cleareventlog");
                n.End();
                n.Eof();
            }))]);
            w.Eof();
        }, out var diagnostics);

        diagnostics.ShouldBeEmpty();
        record.TryGetValue("Operation", out var operation).ShouldBeTrue();
        operation.ToString().ShouldBe("cleareventlog");
    }

    [Fact]
    public void A_later_record_reuses_a_template_defined_by_an_earlier_one()
    {
        var writer = new BinXmlChunkWriter();
        var definition = 0;
        for (var i = 0; i < 3; i++)
        {
            writer.BeginRecord();
            writer.FragmentHeader();
            var value = new TemplateValue(0x06, Le(100 + i, 2));
            if (i == 0)
            {
                definition = writer.Position + 10;
                writer.TemplateInstance(() =>
                {
                    writer.Start("Event");
                    writer.CloseStart();
                    writer.Start("System");
                    writer.CloseStart();
                    writer.Start("EventID");
                    writer.CloseStart();
                    writer.Substitution(0, 0x06);
                    writer.End();
                    writer.End();
                    writer.End();
                }, [value]);
            }
            else
                writer.TemplateReference(definition, [value]);
            writer.Eof();
            writer.EndRecord();
        }

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([writer.Finish()]));

        diagnostics.ShouldBeEmpty();
        records.Select(r => r.EventId).ShouldBe([100, 101, 102]);
        records.Select(r => r.RecordId).ShouldBe([1UL, 2UL, 3UL]);
    }
}
