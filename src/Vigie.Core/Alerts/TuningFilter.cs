using System.Text;
using System.Text.Json;
using Vigie.Sigma;
using Vigie.Sigma.Events;
using Vigie.Sigma.Mapping;

namespace Vigie.Core.Alerts;

/// <summary>
/// An exception's Sigma filter, compiled so that it can be asked about one detection's event. The filter is
/// folded, by the Sigma engine itself, into a probe rule per named rule id that matches every event; an event
/// the probe no longer matches is one the filter excludes. Field names are looked up as written.
/// </summary>
public sealed class TuningFilter
{
    private readonly SigmaEvaluator _evaluator;
    private readonly List<SigmaRule> _matches = [];

    private TuningFilter(SigmaFilter filter, SigmaEngine engine)
    {
        Filter = filter;
        _evaluator = engine.CreateEvaluator();
    }

    public SigmaFilter Filter { get; }

    /// <summary>Parses and compiles a filter document; throws <see cref="VigieException"/> (invalid) naming the line and the problem.</summary>
    public static TuningFilter Compile(string yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml))
            throw VigieException.Invalid("the exception needs a Sigma filter document ('yaml')");
        if (yaml.Length > 64 * 1024)
            throw VigieException.Invalid("the Sigma filter document exceeds 64 KiB");
        var set = SigmaRuleSet.FromYaml(yaml, "exception");
        if (set.Errors.Count > 0)
        {
            var e = set.Errors[0];
            throw VigieException.Invalid($"the Sigma filter is invalid at line {e.Line}: {e.Message}");
        }
        if (set.Filters.Count != 1 || set.Rules.Count > 0 || set.Correlations.Count > 0)
            throw VigieException.Invalid("an exception is one Sigma filter document (title, logsource, filter: {rules: [...], selection, condition}), not a rule or a correlation");
        var filter = set.Filters[0];
        var probes = new StringBuilder();
        foreach (var rule in filter.Rules.Distinct(StringComparer.Ordinal))
            probes.Append(Probe(rule, filter.Logsource)).Append("\n---\n");
        var combined = SigmaRuleSet.FromYaml(probes.ToString(), "exception-probes");
        combined.AddYaml(yaml, "exception");
        if (combined.Errors.Count > 0)
            throw VigieException.Invalid($"the Sigma filter names a rule that cannot be probed: {combined.Errors[0].Message}");
        var engine = SigmaEngine.Compile(combined, new SigmaEngineOptions { Logsources = null, FieldMapping = SigmaFieldMappings.None });
        if (engine.Diagnostics.FirstOrDefault(d => d.Message.Contains("not applied", StringComparison.Ordinal)) is { } diagnostic)
            throw VigieException.Invalid($"the Sigma filter cannot be applied: {diagnostic.Message}");
        return new TuningFilter(filter, engine);
    }

    /// <summary>Whether the filter excludes this detection's event (only for the rules it names).</summary>
    public bool Excludes(IncomingDetection detection)
    {
        if (!Filter.Rules.Contains(detection.RuleId, StringComparer.Ordinal))
            return false;
        _matches.Clear();
        if (detection.EventJson is { Length: > 0 } json)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                _evaluator.Evaluate(new JsonSigmaEvent(doc.RootElement), _matches);
            }
            catch (JsonException)
            {
                _evaluator.Evaluate(FieldsEvent(detection), _matches);
            }
        }
        else
        {
            _evaluator.Evaluate(FieldsEvent(detection), _matches);
        }
        // The probe of this rule matches every event the filter lets through.
        foreach (var rule in _matches)
        {
            if (rule.Id == detection.RuleId)
                return false;
        }
        return true;
    }

    private static DictionarySigmaEvent FieldsEvent(IncomingDetection detection) =>
        new(detection.Fields.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));

    private static string Probe(string ruleId, SigmaLogsource? logsource)
    {
        var sb = new StringBuilder();
        sb.Append("title: exception probe\n");
        sb.Append("id: ").Append(Quote(ruleId)).Append('\n');
        sb.Append("logsource:\n");
        if (logsource is null || (logsource.Product is null && logsource.Category is null && logsource.Service is null))
        {
            sb.Append("  product: any\n");
        }
        else
        {
            if (logsource.Product is { } p)
                sb.Append("  product: ").Append(Quote(p)).Append('\n');
            if (logsource.Category is { } c)
                sb.Append("  category: ").Append(Quote(c)).Append('\n');
            if (logsource.Service is { } s)
                sb.Append("  service: ").Append(Quote(s)).Append('\n');
        }
        sb.Append("detection:\n  never:\n    vigie.exception.probe: never\n  condition: not never\n");
        return sb.ToString();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
