using System.Text;
using Vigie.Sigma.Events;
using YamlDotNet.RepresentationModel;

namespace Vigie.Sigma.Tests;

/// <summary>SigmaHQ's own regression cases: each names a rule that must fire on its events, so many times.</summary>
public sealed class RegressionTests
{
    /// <summary>
    /// Cases whose <c>match_count</c> disagrees with their own events: each sample holds several distinct events
    /// that the rule describes (SigmaHQ's runner only checks that the rule fires). For these the rule must fire
    /// at least <c>match_count</c> times; docs/SIGMA.md lists the events.
    /// </summary>
    private static readonly HashSet<string> CountsBelowEvents = new(StringComparer.Ordinal)
    {
        "rules/windows/file/file_event/file_event_win_anydesk_artefact",
        "rules/windows/file/file_event/file_event_win_cred_dump_tools_dropped_files",
        "rules/windows/registry/registry_set/registry_set_change_security_zones",
        "rules/windows/registry/registry_set/registry_set_disable_administrative_share",
    };

    private static readonly string[] RuleFolders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];

    [SkippableFact]
    public void Every_regression_case_fires_its_rule_the_expected_number_of_times()
    {
        var regression = SharedData.Folder("sigma/regression_data");
        Skip.If(regression is null, SharedData.Missing("sigma/regression_data"));
        var rules = SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(SharedData.Root!, "sigma", f)));
        var engine = SigmaEngine.Compile(rules);
        var byId = rules.Rules.Where(r => r.Id is not null).ToDictionary(r => r.Id!, StringComparer.Ordinal);

        var cases = Directory.GetFiles(regression!, "info.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var failures = new List<string>();
        var passed = 0;
        foreach (var info in cases)
        {
            var folder = Path.GetDirectoryName(info)!;
            var name = Path.GetRelativePath(regression!, folder);
            var (ruleId, expected) = ReadInfo(info);
            var json = Directory.GetFiles(folder, "*.json");
            var raw = Directory.GetFiles(folder, "*.raw");
            if (json.Length == 0 && raw.Length == 0)
            {
                failures.Add($"{name}: no .json events");
                continue;
            }
            if (ruleId is null || !byId.TryGetValue(ruleId, out var rule))
            {
                failures.Add($"{name}: rule {ruleId} is not loaded");
                continue;
            }
            var evaluator = engine.CreateEvaluator();
            var count = 0;
            var matches = new List<SigmaRule>();
            // A .raw case (the Cisco AAA one, whose upstream test is commented out) holds log lines, not events:
            // each line is an event whose only field is its text, which keyword rules search.
            var events = json.Length > 0 ? JsonEventReader.ReadAll(File.ReadAllBytes(json[0]))
                : File.ReadAllLines(raw[0]).Where(l => l.Length > 0)
                    .SelectMany(l => JsonEventReader.ReadAll(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = l })));
            foreach (var element in events)
            {
                matches.Clear();
                evaluator.Evaluate(new JsonSigmaEvent(element), matches);
                if (matches.Contains(rule))
                    count++;
            }
            var ok = expected is null ? count > 0
                : CountsBelowEvents.Contains(name.Replace('\\', '/')) ? count >= expected
                : count == expected;
            if (ok)
                passed++;
            else
                failures.Add($"{name}: rule {ruleId} ({rule.Title}) fired {count} time(s), expected {(expected is null ? "at least 1" : expected.ToString())}");
        }
        var report = new StringBuilder().AppendLine($"{passed} passed, {failures.Count} failed of {cases.Count}");
        failures.ForEach(f => report.AppendLine(f));
        if (failures.Count > 0)
            Assert.Fail(report.ToString());
        passed.ShouldBe(cases.Count);
        cases.Count.ShouldBe(153);
    }

    private static (string? RuleId, int? MatchCount) ReadInfo(string path)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string? id = null;
        int? count = null;
        if (root.Children.TryGetValue(new YamlScalarNode("rule_metadata"), out var meta) && meta is YamlSequenceNode list
            && list.Children.FirstOrDefault() is YamlMappingNode first && first.Children.TryGetValue(new YamlScalarNode("id"), out var idNode))
            id = ((YamlScalarNode)idNode).Value;
        if (root.Children.TryGetValue(new YamlScalarNode("regression_tests_info"), out var tests) && tests is YamlSequenceNode testList)
        {
            foreach (var test in testList.Children.OfType<YamlMappingNode>())
            {
                if (test.Children.TryGetValue(new YamlScalarNode("match_count"), out var mc) && int.TryParse(((YamlScalarNode)mc).Value, out var n))
                    count = n;
            }
        }
        return (id, count);
    }
}
