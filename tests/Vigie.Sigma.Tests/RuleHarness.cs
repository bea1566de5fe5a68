using Vigie.Sigma.Events;

namespace Vigie.Sigma.Tests;

/// <summary>Builds one-rule engines from a detection snippet and evaluates dictionary events with them.</summary>
internal static class RuleHarness
{
    public static string Rule(string detection, string id = "00000000-0000-0000-0000-000000000001", string logsource = "product: test") =>
        $"""
        title: Test rule
        id: {id}
        logsource:
            {logsource}
        detection:
        {Indent(detection)}
        level: high
        """;

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "    " + l));

    public static SigmaEngine Engine(string detection, SigmaEngineOptions? options = null)
    {
        var set = SigmaRuleSet.FromYaml(Rule(detection));
        set.Errors.ShouldBeEmpty();
        return SigmaEngine.Compile(set, options ?? new SigmaEngineOptions { Logsources = null });
    }

    public static bool Matches(this SigmaEngine engine, IReadOnlyDictionary<string, object?> fields)
    {
        var matches = new List<SigmaRule>();
        return engine.CreateEvaluator().Evaluate(new DictionarySigmaEvent(fields), matches) > 0;
    }

    public static bool Matches(string detection, IReadOnlyDictionary<string, object?> fields) => Engine(detection).Matches(fields);

    public static Dictionary<string, object?> Event(params (string Field, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Field, f => f.Value, StringComparer.Ordinal);
}
