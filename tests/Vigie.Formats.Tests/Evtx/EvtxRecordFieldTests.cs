using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>Field lookups by the names Sigma rules use, as a detection engine will call them.</summary>
public sealed class EvtxRecordFieldTests
{
    private static EvtxRecord SysmonFileCreate() =>
        EvtxTestData.ReadAll(EvtxTestData.RegressionFile("RedSun/file_event_win_exploit_redsun_indicators/")).Records.Single();

    [SkippableFact]
    public void System_fields_are_found_by_their_Sigma_names()
    {
        var record = SysmonFileCreate();

        record.EventId.ShouldBe(11);
        record.Channel.ShouldBe("Microsoft-Windows-Sysmon/Operational");
        Text(record, "Provider_Name").ShouldBe("Microsoft-Windows-Sysmon");
        Text(record, "Provider_Guid").ShouldBe("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
        Text(record, "Computer").ShouldBe("swachchhanda");
        Text(record, "TimeCreated").ShouldBe("2026-04-17T05:24:53.0920519Z");
        Text(record, "EventRecordID").ShouldBe("83239");
        Text(record, "Level").ShouldBe("4");
        Text(record, "Task").ShouldBe("11");
        Text(record, "Keywords").ShouldBe("0x8000000000000000");
        Text(record, "UserID").ShouldBe("S-1-5-18");
        Text(record, "ProcessID").ShouldBe("3208");
        Text(record, "ThreadID").ShouldBe("1724");
        record.Timestamp.ShouldBe(new DateTime(2026, 4, 17, 5, 24, 53, DateTimeKind.Utc).AddTicks(920519));
    }

    [SkippableFact]
    public void Long_system_names_reach_the_same_values()
    {
        var record = SysmonFileCreate();

        Text(record, "Security_UserID").ShouldBe("S-1-5-18");
        Text(record, "Execution_ProcessID").ShouldBe("3208");
        Text(record, "Execution_ThreadID").ShouldBe("1724");
        Text(record, "TimeCreated_SystemTime").ShouldBe("2026-04-17T05:24:53.0920519Z");
    }

    [SkippableFact]
    public void EventData_fields_are_found_by_their_Data_name_with_typed_values()
    {
        var record = SysmonFileCreate();

        Text(record, "TargetFilename").ShouldBe(@"C:\Users\xodih\AppData\Local\Temp\RS-{05A3207F-23AB-432D-BDAF-69A8306619CF}\TieringEngineService.exe");
        record.TryGetField("Image", out var image).ShouldBeTrue();
        image.Section.ShouldBe(EvtxSection.EventData);
        image.Value.TryGetChars(out var chars).ShouldBeTrue();
        chars.EndsWith("RedSun.exe", StringComparison.Ordinal).ShouldBeTrue();

        record.TryGetField("ProcessId", out var processId).ShouldBeTrue();
        processId.Value.TryGetInt64(out var pid).ShouldBeTrue();
        pid.ShouldBe(15596);
        record.TryGetField("ProcessGuid", out var guid).ShouldBeTrue();
        guid.Value.Type.ShouldBe(EvtxValueType.Guid);
        guid.Value.ToString().ShouldBe("{0197231E-C424-69E1-C922-000000000800}");
    }

    [SkippableFact]
    public void A_field_text_is_rendered_once_and_then_reused()
    {
        var record = SysmonFileCreate();

        record.TryGetField("ProcessGuid", out var first).ShouldBeTrue();
        record.TryGetField("ProcessGuid", out var again).ShouldBeTrue();
        ReferenceEquals(first.ToString(), again.ToString()).ShouldBeTrue();
        again.ToString().ShouldBe("{0197231E-C424-69E1-C922-000000000800}");
    }

    [SkippableFact]
    public void Names_are_case_sensitive_unless_asked_otherwise()
    {
        var record = SysmonFileCreate();

        record.TryGetField("targetfilename", out _).ShouldBeFalse();
        record.TryGetFieldIgnoreCase("targetfilename", out var field).ShouldBeTrue();
        field.Name.ShouldBe("TargetFilename");
        record.TryGetField("NoSuchField", out _).ShouldBeFalse();
    }

    [SkippableFact]
    public void Enumerating_fields_yields_every_name_once_with_its_values()
    {
        var record = SysmonFileCreate();

        var names = new List<string>();
        foreach (var field in record.Fields)
        {
            names.Add(field.Name);
            record.TryGetField(field.Name, out var found).ShouldBeTrue();
        }
        names.ShouldBeUnique();
        names.ShouldContain("EventID");
        names.ShouldContain("CreationUtcTime");
        names.Count.ShouldBe(record.FieldCount);
    }

    [SkippableFact]
    public void UserData_leaves_are_fields_by_element_name()
    {
        var record = EvtxTestData.ReadAll(EvtxTestData.RegressionFile("win_wmi_activity_nteventlogfile_cleareventlog/")).Records.Single();

        record.EventId.ShouldBe(5858);
        record.TryGetField("Operation", out var operation).ShouldBeTrue();
        operation.Section.ShouldBe(EvtxSection.UserData);
        operation.Value.ToString().ShouldContain("Win32_NTEventlogFile");
        Text(record, "ClientProcessId").ShouldBe("25920");
        Text(record, "ResultCode").ShouldBe("0x80041003");
        Text(record, "Correlation_ActivityID").ShouldBe("{8E521E2B-7C26-0001-417F-9C8E267CDB01}");
        record.TryGetField("xmlns", out _).ShouldBeFalse();
    }

    [SkippableFact]
    public void Json_rendering_has_the_dump_shape()
    {
        var record = SysmonFileCreate();

        using var document = JsonDocument.Parse(record.ToJson());
        var root = document.RootElement;
        root.GetProperty("file").GetString().ShouldEndWith(".evtx");
        root.GetProperty("record_id").GetUInt64().ShouldBe(record.RecordId);
        root.GetProperty("timestamp").GetString().ShouldBe("2026-04-17T05:24:53.0920519Z");
        var system = root.GetProperty("event").GetProperty("System");
        system.GetProperty("EventID").GetInt32().ShouldBe(11);
        system.GetProperty("Provider_Name").GetString().ShouldBe("Microsoft-Windows-Sysmon");
        system.GetProperty("UserID").GetString().ShouldBe("S-1-5-18");
        var data = root.GetProperty("event").GetProperty("EventData");
        data.GetProperty("ProcessId").GetInt32().ShouldBe(15596);
        data.GetProperty("User").GetString().ShouldBe(@"swachchhanda\xodih");
        root.GetProperty("event").TryGetProperty("UserData", out _).ShouldBeFalse();
    }

    private static string Text(EvtxRecord record, string name)
    {
        record.TryGetField(name, out var field).ShouldBeTrue($"field {name} missing");
        return field.ToString();
    }
}

/// <summary>Reading chunks on several threads gives the same records as reading them in order.</summary>
public sealed class EvtxParallelReadingTests
{
    [SkippableFact]
    public void Parallel_chunks_yield_the_same_records_as_sequential_reading()
    {
        var chunks = EvtxTestData.RegressionFiles().Take(40).SelectMany(EvtxTestData.Chunks).ToList();
        var file = EvtxTestData.BuildFile(chunks);
        using var sequential = EvtxReader.Open(new MemoryStream(file), "all.evtx");
        var expected = sequential.ReadRecords().Select(r => r.ToJson()).ToList();

        var found = new System.Collections.Concurrent.ConcurrentBag<(int Chunk, int Index, string Json)>();
        using var parallel = EvtxReader.Open(new MemoryStream(file), "all.evtx");
        parallel.ForEachChunk(chunk =>
        {
            var records = chunk.ReadRecords();
            for (var i = 0; i < records.Count; i++)
                found.Add((chunk.Index, i, records[i].ToJson()));
        }, maxDegreeOfParallelism: 4);

        found.OrderBy(f => f.Chunk).ThenBy(f => f.Index).Select(f => f.Json).ShouldBe(expected);
        expected.Count.ShouldBeGreaterThanOrEqualTo(40);
    }

    [SkippableFact]
    public void Chunks_read_ahead_come_back_in_file_order()
    {
        var chunks = EvtxTestData.RegressionFiles().Take(40).SelectMany(EvtxTestData.Chunks).ToList();
        var file = EvtxTestData.BuildFile(chunks);
        using var sequential = EvtxReader.Open(new MemoryStream(file), "all.evtx");
        var expected = sequential.ReadRecords().Select(r => r.ToJson()).ToList();

        using var ahead = EvtxReader.Open(new MemoryStream(file), "all.evtx");
        var indexes = new List<int>();
        var found = new List<string>();
        foreach (var (index, json) in ahead.ReadChunksAhead(c => (c.Index, c.ReadRecords().Select(r => r.ToJson()).ToList()), lookAhead: 3))
        {
            indexes.Add(index);
            found.AddRange(json);
        }

        indexes.ShouldBe(Enumerable.Range(0, chunks.Count));
        found.ShouldBe(expected);
    }

    [SkippableFact]
    public void Chunks_read_ahead_before_a_read_error_are_returned_before_the_error()
    {
        var chunks = EvtxTestData.RegressionFiles().Take(6).SelectMany(EvtxTestData.Chunks).ToList();
        var file = EvtxTestData.BuildFile(chunks);
        using var reader = EvtxReader.Open(new FailingStream(file, failAfter: EvtxReader.HeaderBlockSize + (3 * EvtxChunk.Size)), "cut.evtx");
        var indexes = new List<int>();

        var error = Should.Throw<IOException>(() =>
        {
            foreach (var index in reader.ReadChunksAhead(c => c.Index, lookAhead: 8))
                indexes.Add(index);
        });

        indexes.ShouldBe([0, 1, 2]);
        error.Message.ShouldBe("disk read error");
    }

    /// <summary>A stream whose reads fail once <c>failAfter</c> bytes have been read.</summary>
    private sealed class FailingStream(byte[] data, int failAfter) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= failAfter)
                throw new IOException("disk read error");
            return base.Read(buffer, offset, (int)Math.Min(count, failAfter - Position));
        }

        public override int Read(Span<byte> buffer)
        {
            if (Position >= failAfter)
                throw new IOException("disk read error");
            return base.Read(buffer[..(int)Math.Min(buffer.Length, failAfter - Position)]);
        }
    }
}
