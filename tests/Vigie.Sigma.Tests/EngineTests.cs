using System.Text;
using System.Text.Json;
using Vigie.Sigma.Events;
using Vigie.Sigma.Mapping;
using static Vigie.Sigma.Tests.RuleHarness;

namespace Vigie.Sigma.Tests;

/// <summary>Logsource-aware evaluation, field mappings, event adapters, and the pre-filter's exactness.</summary>
public sealed class EngineTests
{
    private static readonly string[] RuleFolders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];

    private static JsonSigmaEvent Json(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    [Fact]
    public void A_rule_runs_only_on_events_of_its_logsource()
    {
        var engine = SigmaEngine.Compile(SigmaRuleSet.FromYaml(Rule("sel:\n    CommandLine|contains: whoami\ncondition: sel",
            logsource: "product: windows\n    category: process_creation")));
        var matches = new List<SigmaRule>();
        var evaluator = engine.CreateEvaluator();
        evaluator.Evaluate(Json("""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"CommandLine":"whoami"}"""), matches).ShouldBe(1);
        evaluator.Evaluate(Json("""{"Channel":"Security","EventID":4688,"CommandLine":"whoami"}"""), matches).ShouldBe(1);
        evaluator.Evaluate(Json("""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":11,"CommandLine":"whoami"}"""), matches).ShouldBe(0);
        evaluator.Evaluate(Json("""{"Channel":"Security","EventID":4624,"CommandLine":"whoami"}"""), matches).ShouldBe(0);
    }

    [Fact]
    public void Comparisons_of_the_channel_and_event_id_hold_whatever_the_bucket_the_event_falls_in()
    {
        // Rule buckets answer EventID and Channel comparisons once for all their events (up to case): a rule
        // for another event id leaves the bucket, a negated one matches, a cased one still sees the real case.
        var engine = SigmaEngine.Compile(SigmaRuleSet.FromYaml(
            Rule("sel:\n    EventID: 4663\n    ObjectName|contains: secret\ncondition: sel", logsource: "product: windows\n    service: security", id: "00000000-0000-0000-0000-000000000001") + "\n---\n"
            + Rule("sel:\n    ObjectName|contains: secret\nother:\n    EventID: 4663\ncondition: sel and not other", logsource: "product: windows\n    service: security", id: "00000000-0000-0000-0000-000000000002") + "\n---\n"
            + Rule("sel:\n    Channel|cased: Security\n    ObjectName|contains: secret\ncondition: sel", logsource: "product: windows\n    service: security", id: "00000000-0000-0000-0000-000000000003")));
        var evaluator = engine.CreateEvaluator();
        string[] Titles(string json)
        {
            var matches = new List<SigmaRule>();
            evaluator.Evaluate(Json(json), matches);
            return [.. matches.Select(m => m.Id![^1..])];
        }
        Titles("""{"Channel":"Security","EventID":4663,"ObjectName":"C:\\secret.txt"}""").ShouldBe(["1", "3"]);
        Titles("""{"Channel":"Security","EventID":4656,"ObjectName":"C:\\secret.txt"}""").ShouldBe(["2", "3"]);
        Titles("""{"Channel":"SECURITY","EventID":4663,"ObjectName":"C:\\secret.txt"}""").ShouldBe(["1"]);
        Titles("""{"Channel":"security","EventID":"4656","ObjectName":"C:\\secret.txt"}""").ShouldBe(["2"]);
    }

    [Fact]
    public void Security_4688_events_answer_to_sysmon_process_field_names()
    {
        var engine = SigmaEngine.Compile(SigmaRuleSet.FromYaml(Rule("sel:\n    Image|endswith: '\\whoami.exe'\ncondition: sel",
            logsource: "product: windows\n    category: process_creation")));
        var matches = new List<SigmaRule>();
        engine.CreateEvaluator().Evaluate(Json("""{"Channel":"Security","EventID":4688,"NewProcessName":"C:\\Windows\\System32\\whoami.exe"}"""), matches).ShouldBe(1);
    }

    [Fact]
    public void A_rule_of_an_unknown_logsource_is_reported_and_runs_only_on_unclaimed_events()
    {
        var engine = SigmaEngine.Compile(SigmaRuleSet.FromYaml(Rule("sel:\n    msg|contains: dot1x\ncondition: sel", logsource: "product: cisco\n    service: aaa")));
        engine.Diagnostics.ShouldContain(d => d.Message.Contains("service 'aaa'", StringComparison.Ordinal));
        var matches = new List<SigmaRule>();
        var evaluator = engine.CreateEvaluator();
        evaluator.Evaluate(Json("""{"msg":"no dot1x system-auth-control"}"""), matches).ShouldBe(1);
        evaluator.Evaluate(Json("""{"Channel":"Security","msg":"no dot1x system-auth-control"}"""), matches).ShouldBe(0);
    }

    [Fact]
    public void The_ecs_mapping_translates_rule_fields_and_reports_unknown_ones()
    {
        var set = SigmaRuleSet.FromYaml(Rule("sel:\n    CommandLine|contains: whoami\n    SomeVendorField: x\ncondition: sel",
            logsource: "product: windows\n    category: process_creation"));
        var engine = SigmaEngine.Compile(set, new SigmaEngineOptions { FieldMapping = SigmaFieldMappings.Ecs });
        engine.Diagnostics.ShouldContain(d => d.Message.Contains("SomeVendorField", StringComparison.Ordinal) && d.Message.Contains("'ecs'", StringComparison.Ordinal));
        var matches = new List<SigmaRule>();
        engine.CreateEvaluator().Evaluate(Json("""
            {"event":{"category":["process"],"type":["start"]},"host":{"os":{"type":"windows"}},
             "process":{"command_line":"cmd /c whoami"},"SomeVendorField":"x"}
            """), matches).ShouldBe(1);
    }

    [Fact]
    public void Evtx_json_exposes_system_event_data_and_attributes_by_name()
    {
        var e = Json("""
            {"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":{"#attributes":{"Qualifiers":0},"#text":1},
              "TimeCreated":{"#attributes":{"SystemTime":"2026-04-17T05:24:53.092051Z"}},"EventRecordID":83239,"Channel":"Microsoft-Windows-Sysmon/Operational",
              "Execution":{"#attributes":{"ProcessID":3208}}},
              "EventData":{"Image":"C:\\x.exe","Threat Name":"EICAR"}}}
            """);
        e.TryGetField("Image", out var image).ShouldBeTrue();
        image.Text.ShouldBe(@"C:\x.exe");
        e.TryGetField("EventID", out var id).ShouldBeTrue();
        id.Number.ShouldBe(1);
        e.TryGetField("Provider_Name", out var provider).ShouldBeTrue();
        provider.Text.ShouldBe("Microsoft-Windows-Sysmon");
        e.TryGetField("ThreatName", out var threat).ShouldBeTrue();
        threat.Text.ShouldBe("EICAR");
        e.TryGetField("ProcessID", out var pid).ShouldBeTrue();
        pid.Number.ShouldBe(3208);
        SigmaEventTime.TryGetTime(e, out var time).ShouldBeTrue();
        time.ShouldBe(new DateTimeOffset(2026, 4, 17, 5, 24, 53, 92, TimeSpan.Zero).AddTicks(510));
        SigmaEventTime.GetRecordId(e).ShouldBe("83239");
        e.TryGetField("Missing", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(@"Windows\Temp\evil")]
    [InlineData("say \"hi\"")]
    [InlineData("caf\u00e9\ttab\there")]
    [InlineData("4688")]
    public void Keywords_find_json_values_with_escapes(string keyword)
    {
        var engine = SigmaEngine.Compile(SigmaRuleSet.FromYaml(Rule($"keywords:\n    - '{keyword.Replace("'", "''", StringComparison.Ordinal)}'\ncondition: keywords")),
            new SigmaEngineOptions { Logsources = null });
        var matches = new List<SigmaRule>();
        var e = Json("""{"a":{"b":["x","C:\\Windows\\Temp\\evil.exe"]},"c":"they say \"hi\" then café\ttab\there","EventID":4688}""");
        engine.CreateEvaluator().Evaluate(e, matches).ShouldBe(1);
        // The same values written with \u escapes (searched value by value rather than in the raw text).
        var escaped = Json("""{"a":["C:\\Windows\\Temp\\evil.exe"],"c":"they say \u0022hi\u0022 then caf\u00e9\u0009tab\there","EventID":4688}""");
        engine.CreateEvaluator().Evaluate(escaped, matches).ShouldBe(1);
        engine.CreateEvaluator().Evaluate(Json("""{"a":"nothing to see"}"""), matches).ShouldBe(0);
    }

    [Fact]
    public void Event_data_shipped_as_a_json_string_is_read()
    {
        var e = Json("""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventData":"{\"Image\":\"C:\\\\a.exe\"}"}""");
        e.TryGetField("Image", out var image).ShouldBeTrue();
        image.Text.ShouldBe(@"C:\a.exe");
    }

    [Fact]
    public void Json_events_are_read_in_every_shape()
    {
        JsonEventReader.ReadAll("""{"a":1}"""u8).Count.ShouldBe(1);
        JsonEventReader.ReadAll("""[{"a":1},{"a":2}]"""u8).Count.ShouldBe(2);
        JsonEventReader.ReadAll("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"u8).Count.ShouldBe(3);
        JsonEventReader.ReadAll("{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n"u8).Count.ShouldBe(2);
        Should.Throw<JsonException>(() => JsonEventReader.ReadAll("{\"a\":1}\n{\"a\":"u8)).Message.ShouldContain("line 2");
    }

    [Fact]
    public void Json_documents_are_read_one_at_a_time_and_errors_name_their_line()
    {
        var text = "{\"a\":1}\n[{\"a\":2},{\"a\":3}]\n{\n  \"a\": 4\n}\n"u8.ToArray();
        var documents = JsonEventReader.ReadDocuments(text).ToList();
        documents.Select(d => d.RootElement.ValueKind).ShouldBe([JsonValueKind.Object, JsonValueKind.Array, JsonValueKind.Object]);
        documents[2].RootElement.GetProperty("a").GetInt32().ShouldBe(4);
        documents.ForEach(d => d.Dispose());
        var broken = "{\"a\":1}\n{\"a\":2}\n{\"a\" 3}\n"u8.ToArray();
        Should.Throw<JsonException>(() => JsonEventReader.ReadDocuments(broken).ToList()).Message.ShouldContain("line 3");
    }

    [SkippableFact]
    public void The_prefilter_changes_no_result_over_the_whole_corpus_and_every_sample()
    {
        var root = SharedData.Folder("sigma");
        Skip.If(root is null, SharedData.Missing("sigma"));
        var set = SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(root!, f)));
        var fast = SigmaEngine.Compile(set).CreateEvaluator();
        var slow = SigmaEngine.Compile(set, new SigmaEngineOptions { UsePrefilter = false }).CreateEvaluator();
        var files = Directory.GetFiles(Path.Combine(root!, "regression_data"), "*.json", SearchOption.AllDirectories).ToList();
        if (SharedData.Folder("security-datasets") is { } datasets)
            files.AddRange(Directory.GetFiles(datasets, "*.json", SearchOption.AllDirectories));
        var a = new List<SigmaRule>();
        var b = new List<SigmaRule>();
        var events = 0;
        var matched = 0;
        var differences = new StringBuilder();
        foreach (var file in files)
        {
            foreach (var element in JsonEventReader.ReadAll(File.ReadAllBytes(file)))
            {
                a.Clear();
                b.Clear();
                var e = new JsonSigmaEvent(element);
                fast.Evaluate(e, a);
                slow.Evaluate(e, b);
                events++;
                matched += b.Count;
                if (!a.SequenceEqual(b))
                    differences.AppendLine($"{file}: prefiltered [{string.Join(", ", a.Select(r => r.Id))}] vs full [{string.Join(", ", b.Select(r => r.Id))}]");
            }
        }
        differences.ToString().ShouldBeEmpty();
        events.ShouldBeGreaterThan(150);
        matched.ShouldBeGreaterThan(150);
    }
}
