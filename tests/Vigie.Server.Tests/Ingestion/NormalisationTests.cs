using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>The recordings of OTRF's Security-Datasets and Suricata's EVE examples normalise with their key fields in ECS.</summary>
public sealed class NormalisationTests
{
    private static readonly IngestContext Context = new(Guid.NewGuid(), "CHU-T", "test-collector", "file", DateTimeOffset.UtcNow);

    private static List<(JsonElement Source, EventDocument Event)> ReadJsonLines(string file)
    {
        var list = new List<(JsonElement, EventDocument)>();
        var n = 0;
        foreach (var line in File.ReadLines(file))
        {
            n++;
            if (line.Trim().Length == 0)
                continue;
            var e = IngestBatchReader.ReadJsonLine(Encoding.UTF8.GetBytes(line), n, Context, out var error);
            error.ShouldBeNull($"{Path.GetFileName(file)} line {n}");
            list.Add((JsonDocument.Parse(line).RootElement.Clone(), e));
        }
        return list;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    public static TheoryData<string> WindowsRecordings => new()
    {
        "cmd_bitsadmin_download_psh_script", "cmd_sam_copy_esentutl", "cmd_service_mod_fax", "psh_lsass_memory_dump_comsvcs", "psh_powershell_httplistener",
    };

    [SkippableTheory]
    [MemberData(nameof(WindowsRecordings))]
    public void Windows_recordings_keep_their_fields_and_gain_ecs(string recording)
    {
        var folder = CollectionData.Require("security-datasets", recording);
        var events = ReadJsonLines(Directory.GetFiles(folder, "*.json").Single());
        events.Count.ShouldBeGreaterThan(50);
        var checkedProcesses = 0;
        var checkedNetwork = 0;
        foreach (var (source, e) in events)
        {
            e.GetText(EventFields.Kind).ShouldBe("event");
            e.GetText("EventID").ShouldBe(Text(source, "EventID"), "original fields are kept");
            e.GetText(EventFields.Code).ShouldBe(Text(source, "EventID"));
            e.GetText("winlog.channel").ShouldBe(Text(source, "Channel"));
            e.GetText(EventFields.HostName).ShouldBe(Text(source, "Hostname") ?? Text(source, "Computer"));
            e.GetText(EventFields.Organization).ShouldBe("CHU-T");
            e.GetText(EventFields.Original).ShouldNotBeNull();
            var time = Text(source, "@timestamp") ?? Text(source, "TimeCreated")!;
            EventTime.TryParse(time, out var expected).ShouldBeTrue(time);
            e.Timestamp.ShouldBe(expected.UtcDateTime, $"@timestamp from the record, not the reception ({time})");
            var id = Text(source, "EventID");
            var channel = Text(source, "Channel");
            if (channel == "Security" && id == "4688")
            {
                e.GetText("process.command_line").ShouldBe(Text(source, "CommandLine"));
                e.GetText("process.executable").ShouldBe(Text(source, "NewProcessName"));
                e.GetText("process.parent.executable").ShouldBe(Text(source, "ParentProcessName"));
                e.GetText("process.name").ShouldBe(Path.GetFileName(Text(source, "NewProcessName")!.Replace('\\', '/')));
                ((List<object?>)e["event.category"]!).ShouldContain("process");
                checkedProcesses++;
            }
            if (channel == "Microsoft-Windows-Sysmon/Operational" && id == "1")
            {
                e.GetText("process.command_line").ShouldBe(Text(source, "CommandLine"));
                e.GetText("process.executable").ShouldBe(Text(source, "Image"));
                e.GetText("process.parent.executable").ShouldBe(Text(source, "ParentImage"));
                checkedProcesses++;
            }
            if (channel == "Security" && id == "5156")
            {
                e.GetText(EventFields.SourceIp).ShouldBe(Text(source, "SourceAddress"));
                e.GetText(EventFields.DestinationIp).ShouldBe(Text(source, "DestAddress"));
                e.GetText("destination.port").ShouldBe(Text(source, "DestPort"));
                checkedNetwork++;
            }
            if (channel == "Microsoft-Windows-Sysmon/Operational" && id == "3")
            {
                e.GetText(EventFields.SourceIp).ShouldBe(Text(source, "SourceIp"));
                e.GetText(EventFields.DestinationIp).ShouldBe(Text(source, "DestinationIp"));
                checkedNetwork++;
            }
        }
        (checkedProcesses + checkedNetwork).ShouldBeGreaterThan(0, "the recording holds process or network events");
    }

    [SkippableFact]
    public void Sysmon_forwarded_with_event_data_as_a_json_string_is_unpacked()
    {
        var folder = CollectionData.Require("security-datasets", "sysmon_log4shell_cve2021_44228_java_serialized_object");
        var events = ReadJsonLines(Directory.GetFiles(folder, "*.json").Single());
        var network = 0;
        foreach (var (source, e) in events)
        {
            e.GetText(EventFields.HostName).ShouldBe(Text(source, "Computer"));
            e.GetText(EventFields.Module).ShouldBe("sysmon");
            using var data = JsonDocument.Parse(Text(source, "EventData")!);
            if (Text(source, "EventID") == "3")
            {
                e.GetText("Image").ShouldBe(Text(data.RootElement, "Image"));
                e.GetText(EventFields.SourceIp).ShouldBe(Text(data.RootElement, "SourceIp"));
                e.GetText(EventFields.DestinationIp).ShouldBe(Text(data.RootElement, "DestinationIp"));
                e.GetText("destination.port").ShouldBe(Text(data.RootElement, "DestinationPort"));
                network++;
            }
            if (Text(source, "EventID") == "1")
                e.GetText("process.command_line").ShouldBe(Text(data.RootElement, "CommandLine"));
        }
        network.ShouldBeGreaterThan(0);
    }

    [SkippableFact]
    public void CloudTrail_records_normalise_to_ecs()
    {
        var folder = CollectionData.Require("security-datasets", "ec2_proxy_s3_exfiltration");
        var events = ReadJsonLines(Directory.GetFiles(folder, "*.json").Single());
        events.Count.ShouldBeGreaterThan(10);
        foreach (var (source, e) in events)
        {
            e.GetText(EventFields.Dataset).ShouldBe("aws.cloudtrail");
            e.GetText(EventFields.Action).ShouldBe(Text(source, "eventName"));
            e.GetText("event.provider").ShouldBe(Text(source, "eventSource"));
            e.GetText(EventFields.SourceIp).ShouldBe(Text(source, "sourceIPAddress"));
            e.GetText("cloud.region").ShouldBe(Text(source, "awsRegion"));
            var identity = source.GetProperty("userIdentity");
            if (Text(identity, "userName") is { } user)
                e.GetText(EventFields.UserName).ShouldBe(user);
            e.GetText("userIdentity.arn").ShouldBe(Text(identity, "arn"), "nested original fields are kept by their dotted names");
            e.GetText(EventFields.Outcome).ShouldBe(source.TryGetProperty("errorCode", out _) ? "failure" : "success");
        }
    }

    [SkippableFact]
    public void Auditd_records_normalise_to_ecs()
    {
        var folder = CollectionData.Require("security-datasets", "sh_arp_cache");
        var file = Directory.GetFiles(folder, "*.log").Single();
        var types = new HashSet<string>();
        foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0))
        {
            IngestBatchReader.LooksLikeAudit(line).ShouldBeTrue(line);
            var e = IngestBatchReader.ReadAuditLine(line, Context).Document;
            e.GetText(EventFields.Kind).ShouldBe("event", line);
            var type = line[5..line.IndexOf(' ', StringComparison.Ordinal)];
            e.GetText("type").ShouldBe(type);
            types.Add(type);
            var stamp = line[(line.IndexOf("audit(", StringComparison.Ordinal) + 6)..line.IndexOf(':', line.IndexOf("audit(", StringComparison.Ordinal))];
            e.Timestamp.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds((long)(decimal.Parse(stamp, CultureInfo.InvariantCulture) * 1000)).UtcDateTime);
            if (type == "SYSCALL")
            {
                e.GetText("process.executable").ShouldBe(Value(line, "exe"));
                e.GetText("process.pid").ShouldBe(Value(line, "pid"));
                e.GetText("process.parent.pid").ShouldBe(Value(line, "ppid"));
                e.GetText(EventFields.Outcome).ShouldBe(Value(line, "success") == "yes" ? "success" : "failure");
            }
            if (type == "EXECVE")
            {
                var args = Enumerable.Range(0, int.Parse(Value(line, "argc")!, CultureInfo.InvariantCulture)).Select(i => Value(line, "a" + i)).ToList();
                ((List<object?>)e["process.args"]!).ShouldBe(args.Cast<object?>().ToList());
                e.GetText("process.command_line").ShouldBe(string.Join(' ', args));
            }
        }
        types.ShouldContain("SYSCALL");
        types.ShouldContain("EXECVE");
    }

    private static string? Value(string line, string key)
    {
        var at = line.IndexOf(" " + key + "=", StringComparison.Ordinal);
        if (at < 0)
            return null;
        var start = at + key.Length + 2;
        if (line[start] == '"')
            return line[(start + 1)..line.IndexOf('"', start + 1)];
        var end = line.IndexOf(' ', start);
        return end < 0 ? line[start..] : line[start..end];
    }

    [SkippableFact]
    public void Suricata_eve_events_are_valid_eve_normalise_to_ecs_and_keep_an_original_that_still_validates()
    {
        var examples = CollectionData.Require("suricata", "eve-json-format.examples.jsonl");
        var schema = CollectionData.Require("suricata", "etc", "schema.json");
        var events = ReadJsonLines(examples);
        events.Count.ShouldBeGreaterThan(5);
        foreach (var (source, e) in events)
        {
            e.GetText(EventFields.Dataset).ShouldBe("suricata.eve");
            e.GetText(EventFields.SourceIp).ShouldBe(Text(source, "src_ip"));
            e.GetText(EventFields.DestinationIp).ShouldBe(Text(source, "dest_ip"));
            e.GetText("source.port").ShouldBe(Text(source, "src_port"));
            e.GetText("network.transport").ShouldBe(Text(source, "proto")?.ToLowerInvariant());
            EventTime.TryParse(Text(source, "timestamp"), out var time).ShouldBeTrue();
            e.Timestamp.ShouldBe(time.UtcDateTime);
            if (Text(source, "event_type") == "alert")
            {
                var alert = source.GetProperty("alert");
                e.GetText(EventFields.Kind).ShouldBe("alert");
                e.GetText("rule.name").ShouldBe(Text(alert, "signature"));
                e.GetText("rule.id").ShouldBe(Text(alert, "signature_id"));
            }
        }
        var originals = events.Select(x => x.Event.GetText(EventFields.Original)!).ToList();
        var verdicts = ValidateWithJsonSchema(schema, originals);
        verdicts.ShouldAllBe(v => v == "ok");
    }

    /// <summary>Debian's python3-jsonschema, an independent validator, checks each line against the schema.</summary>
    private static List<string> ValidateWithJsonSchema(string schema, IReadOnlyList<string> lines)
    {
        const string python = "/usr/bin/python3";
        Skip.If(!File.Exists(python), "python3 is not installed (apt-get install python3-jsonschema)");
        var check = Process.Start(new ProcessStartInfo(python, ["-c", "import jsonschema"]) { RedirectStandardError = true })!;
        check.WaitForExit();
        Skip.If(check.ExitCode != 0, "python3-jsonschema is not installed (apt-get install python3-jsonschema)");
        const string script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft7Validator(schema)
            for line in sys.stdin:
                errors = sorted(validator.iter_errors(json.loads(line)), key=lambda e: list(e.path))
                print("ok" if not errors else errors[0].message.replace("\n", " "))
            """;
        var info = new ProcessStartInfo(python, ["-c", script, schema]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        foreach (var line in lines)
            process.StandardInput.WriteLine(line);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
        output.Count.ShouldBe(lines.Count);
        return output;
    }

    [Fact]
    public void Fhir_audit_event_of_a_record_read_gives_who_what_and_outcome()
    {
        const string audit = """
            {"resourceType":"AuditEvent","type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},
             "subtype":[{"system":"http://hl7.org/fhir/restful-interaction","code":"read"}],"action":"R","recorded":"2026-03-02T08:15:00+01:00","outcome":"0",
             "agent":[{"who":{"identifier":{"value":"dr.alaoui"},"display":"Dr Amina Alaoui"},"requestor":true,"network":{"address":"10.20.30.40","type":"2"}}],
             "source":{"observer":{"display":"DPI CHU"}},"entity":[{"what":{"reference":"Patient/example"},"role":{"code":"1"}}]}
            """;
        var e = IngestBatchReader.ReadJsonLine(Encoding.UTF8.GetBytes(audit.ReplaceLineEndings("")), 1, Context, out var error);
        error.ShouldBeNull();
        e.GetText(EventFields.Dataset).ShouldBe("fhir.audit");
        e.GetText(EventFields.Action).ShouldBe("read");
        e.GetText(EventFields.Outcome).ShouldBe("success");
        e.GetText(EventFields.UserName).ShouldBe("dr.alaoui");
        e.GetText(EventFields.SourceIp).ShouldBe("10.20.30.40");
        e.GetText("observer.name").ShouldBe("DPI CHU");
        e.GetText("fhir.patient").ShouldBe("Patient/example");
        e.Timestamp.ShouldBe(new DateTime(2026, 3, 2, 7, 15, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Cef_over_syslog_gives_observer_addresses_and_user()
    {
        var line = "<134>Mar  2 08:15:00 fw01 CEF:0|Fortinet|FortiGate|7.2|13|Deny traffic|7|src=10.0.0.5 spt=51515 dst=203.0.113.9 dpt=445 suser=bob act=deny msg=blocked by policy \\= 3";
        var e = IngestBatchReader.ReadSyslog(Encoding.UTF8.GetBytes(line), Context, false).Document;
        e.GetText(EventFields.Dataset).ShouldBe("cef");
        e.GetText("observer.vendor").ShouldBe("Fortinet");
        e.GetText("observer.product").ShouldBe("FortiGate");
        e.GetText(EventFields.SourceIp).ShouldBe("10.0.0.5");
        e.GetText("source.port").ShouldBe("51515");
        e.GetText(EventFields.DestinationIp).ShouldBe("203.0.113.9");
        e.GetText("destination.port").ShouldBe("445");
        e.GetText(EventFields.UserName).ShouldBe("bob");
        e.GetText(EventFields.Action).ShouldBe("deny");
        e.GetText(EventFields.Message).ShouldBe("blocked by policy = 3");
        e.GetText(EventFields.HostName).ShouldBe("fw01");
    }

    [Theory]
    [InlineData("{\"a\":1", "malformed JSON")]
    [InlineData("[1,2]", null)]
    [InlineData("{\"a\":1} {\"b\":2}", "after a single JSON value")]
    [InlineData("\"just a string\"", null)]
    public void Bad_json_lines_become_pipeline_errors_with_the_reason(string line, string? reason)
    {
        var e = IngestBatchReader.ReadJsonLine(Encoding.UTF8.GetBytes(line), 7, Context, out var error);
        e.GetText(EventFields.Kind).ShouldBe(EventFields.PipelineError);
        e.GetText(EventFields.Original).ShouldBe(line);
        if (reason is not null)
            error!.ShouldContain(reason);
        e.GetText(EventFields.ErrorMessage).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Invalid_utf8_in_a_json_line_is_reported_with_its_byte()
    {
        byte[] line = [.. "{\"a\":\"caf"u8, 0xC3, 0x28, .. "\"}"u8];
        var e = IngestBatchReader.ReadJsonLine(line, 1, Context, out var error);
        error.ShouldBe("not valid UTF-8 at byte 10 of the line");
        e.GetText(EventFields.Kind).ShouldBe(EventFields.PipelineError);
    }

    [Fact]
    public void An_oversized_json_line_is_rejected_with_its_size_and_kept_in_part()
    {
        var line = Encoding.UTF8.GetBytes("{\"message\":\"" + new string('x', IngestBatchReader.MaxLineBytes) + "\"}");
        var e = IngestBatchReader.ReadJsonLine(line, 3, Context, out var error);
        error.ShouldBe($"line is {line.Length} bytes, more than the {IngestBatchReader.MaxLineBytes} allowed");
        e.GetText(EventFields.Kind).ShouldBe(EventFields.PipelineError);
        e.GetText(EventFields.Original)!.Length.ShouldBe(4096);
    }

    [SkippableFact]
    public void A_server_side_fhir_audit_event_names_its_agent_as_the_user()
    {
        var file = CollectionData.Require("fhir", "auditevent", "gematik-fhir-profiles-erp", "fsh-generated", "resources", "AuditEvent-9361863d-fec0-4ba9-8776-7905cf1b0cfa.json");
        using var source = JsonDocument.Parse(File.ReadAllText(file));
        var root = source.RootElement;
        var line = Encoding.UTF8.GetBytes(root.GetRawText().ReplaceLineEndings(""));
        var e = IngestBatchReader.ReadJsonLine(line, 1, Context, out var error);
        error.ShouldBeNull();
        e.GetText(EventFields.Dataset).ShouldBe("fhir.audit");
        e.GetText(EventFields.Action).ShouldBe(root.GetProperty("subtype")[0].GetProperty("code").GetString());
        e.GetText(EventFields.Outcome).ShouldBe(root.GetProperty("outcome").GetString() == "0" ? "success" : "failure");
        var agent = root.GetProperty("agent")[0];
        e.GetText(EventFields.UserName).ShouldBe(agent.GetProperty("who").GetProperty("identifier").GetProperty("value").GetString());
        e.GetText("user.full_name").ShouldBe(agent.GetProperty("name").GetString());
        EventTime.TryParse(root.GetProperty("recorded").GetString(), out var recorded).ShouldBeTrue();
        e.Timestamp.ShouldBe(recorded.UtcDateTime);
        e.GetText("fhir.resource").ShouldBe(root.GetProperty("entity")[0].GetProperty("what").GetProperty("reference").GetString());

        // The same record three times in a Bundle gives three events.
        var bundle = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + string.Join(',', Enumerable.Repeat("{\"resource\":" + Encoding.UTF8.GetString(line) + "}", 3)) + "]}";
        var result = IngestBatchReader.ReadNdjson(Encoding.UTF8.GetBytes(bundle), Context);
        result.Rejected.ShouldBeEmpty();
        result.Events.Count.ShouldBe(3);
        result.Events.ShouldAllBe(x => x.Document.GetText(EventFields.Dataset) == "fhir.audit");
    }
}
