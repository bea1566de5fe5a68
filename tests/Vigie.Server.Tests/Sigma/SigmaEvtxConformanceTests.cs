using System.Text.RegularExpressions;
using Vigie.Formats.Evtx;
using Vigie.Server.Cli;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;
using Vigie.Sigma.Events;
using Vigie.Sigma.Mapping;

namespace Vigie.Server.Tests.Sigma;

/// <summary>
/// The same SigmaHQ regression samples, read twice: from their .evtx through Vigie's own reader, and from the
/// independent tool's .json rendering. Every rule of the corpus must fire on exactly the same events.
/// </summary>
public sealed partial class SigmaEvtxConformanceTests
{
    [GeneratedRegex(@"^\s*-\s*id:\s*([0-9a-f-]{36})", RegexOptions.Multiline)]
    private static partial Regex RuleIdLine();

    private static readonly string[] RuleFolders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];

    [SkippableFact]
    public void Scanning_each_evtx_sample_fires_every_rule_exactly_as_its_json_rendering()
    {
        var sigma = Path.Combine(TestEnvironment.SharedData, "sigma");
        var regression = Path.Combine(sigma, "regression_data");
        Skip.If(!Directory.Exists(regression), $"shared data missing: {regression}");
        var set = SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(sigma, f)).Where(Directory.Exists));
        var engine = SigmaEngine.Compile(set, new SigmaEngineOptions
        {
            FieldMapping = SigmaFieldMappings.Windows,
            Logsources = SigmaLogsourceCatalog.CreateDefault(),
        });
        var evaluator = engine.CreateEvaluator();

        var samples = Directory.GetFiles(regression, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        samples.Count.ShouldBeGreaterThan(100);
        var failures = new List<string>();
        var namedRuleFired = 0;
        foreach (var evtx in samples)
        {
            var json = Path.ChangeExtension(evtx, ".json");
            if (!File.Exists(json))
                continue;
            var fromEvtx = MatchesByRule(evaluator, ReadEvtx(evtx));
            var fromJson = MatchesByRule(evaluator, JsonEventReader.ReadDocuments(File.ReadAllBytes(json))
                .SelectMany(d => d.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? d.RootElement.EnumerateArray().ToList() : [d.RootElement])
                .Select(e => (ISigmaEvent)new JsonSigmaEvent(e)));
            var name = Path.GetRelativePath(regression, evtx);
            foreach (var rule in fromEvtx.Keys.Union(fromJson.Keys))
            {
                fromEvtx.TryGetValue(rule, out var a);
                fromJson.TryGetValue(rule, out var b);
                if (a != b)
                    failures.Add($"{name}: rule {rule} fired {a} times on the .evtx, {b} times on the .json");
            }
            var info = Path.Combine(Path.GetDirectoryName(evtx)!, "info.yml");
            var named = File.Exists(info) ? RuleIdLine().Match(File.ReadAllText(info)).Groups[1].Value : "";
            if (named.Length > 0 && fromEvtx.ContainsKey(named))
                namedRuleFired++;
            else if (named.Length > 0)
                failures.Add($"{name}: its rule {named} did not fire on the .evtx");
        }
        failures.ShouldBeEmpty();
        namedRuleFired.ShouldBeGreaterThan(100);
    }

    private static IEnumerable<ISigmaEvent> ReadEvtx(string path)
    {
        using var reader = EvtxReader.Open(path);
        foreach (var record in reader.ReadRecords())
            yield return new SigmaEvtxEvent(record);
    }

    private static Dictionary<string, int> MatchesByRule(SigmaEvaluator evaluator, IEnumerable<ISigmaEvent> events)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var matches = new List<SigmaRule>();
        foreach (var e in events)
        {
            matches.Clear();
            evaluator.Evaluate(e, matches);
            foreach (var rule in matches)
            {
                var key = rule.Id ?? rule.Name ?? rule.Title;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        return counts;
    }
}
