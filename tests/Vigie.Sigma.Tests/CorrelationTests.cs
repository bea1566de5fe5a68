using Vigie.Sigma.Correlation;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Tests;

/// <summary>Every correlation type, windows that expire, aliases, chaining and generate.</summary>
public sealed class CorrelationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 17, 8, 0, 0, TimeSpan.Zero);

    private const string Rules = """
        title: Failed logon
        id: failed-logon
        name: failed_logon
        logsource:
            product: windows
            service: security
        detection:
            sel:
                EventID: 4625
            condition: sel
        ---
        title: Successful logon
        id: good-logon
        name: good_logon
        logsource:
            product: windows
            service: security
        detection:
            sel:
                EventID: 4624
            condition: sel
        ---
        title: Transfer
        id: transfer
        name: transfer
        logsource:
            product: test
        detection:
            sel:
                Action: transfer
            condition: sel
        """;

    private sealed class Run(string correlations)
    {
        private readonly SigmaRuleSet _set = SigmaRuleSet.FromYaml(Rules + "\n---\n" + correlations);
        private readonly List<SigmaCorrelationMatch> _fired = [];
        private SigmaEngine? _engine;
        private SigmaCorrelator? _correlator;
        private SigmaEvaluator? _evaluator;

        public SigmaRuleSet Set => _set;
        public SigmaEngine Engine => _engine ??= SigmaEngine.Compile(_set, new SigmaEngineOptions { Logsources = null });
        private SigmaCorrelator Correlator => _correlator ??= new SigmaCorrelator(_set);

        public Run Send(int secondsAfterStart, params (string Field, object? Value)[] fields)
        {
            _set.Errors.ShouldBeEmpty();
            _evaluator ??= Engine.CreateEvaluator();
            var e = new DictionarySigmaEvent(RuleHarness.Event(fields));
            var matches = new List<SigmaRule>();
            _evaluator.Evaluate(e, matches);
            foreach (var rule in matches)
                Correlator.Process(rule, e, T0.AddSeconds(secondsAfterStart), _fired);
            return this;
        }

        public List<SigmaCorrelationMatch> Fired(bool flush = true)
        {
            if (flush)
                Correlator.Flush(_fired);
            return _fired;
        }
    }

    private static string Correlation(string type, string condition, string timespan = "5m", string groupBy = "- Computer", string rules = "- failed-logon") => $"""
        title: Correlated
        id: corr
        correlation:
            type: {type}
            rules:
                {rules}
            group-by:
                {groupBy}
            timespan: {timespan}
            condition:
                {condition}
        level: high
        """;

    [Fact]
    public void Event_count_fires_once_per_group_when_the_count_is_reached()
    {
        var run = new Run(Correlation("event_count", "gte: 3"));
        for (var i = 0; i < 3; i++)
            run.Send(i * 10, ("EventID", 4625), ("Computer", "ws1"));
        run.Send(40, ("EventID", 4625), ("Computer", "ws2"));
        var fired = run.Fired();
        fired.Count.ShouldBe(1);
        fired[0].Group.ShouldBe(["ws1"]);
        fired[0].Value.ShouldBe(3);
    }

    [Fact]
    public void Event_count_forgets_matches_older_than_the_timespan()
    {
        var run = new Run(Correlation("event_count", "gte: 3", timespan: "1m"));
        run.Send(0, ("EventID", 4625), ("Computer", "ws1"));
        run.Send(50, ("EventID", 4625), ("Computer", "ws1"));
        run.Send(100, ("EventID", 4625), ("Computer", "ws1"));
        run.Fired().ShouldBeEmpty();
    }

    [Fact]
    public void Value_count_counts_distinct_values()
    {
        var run = new Run(Correlation("value_count", "field: User\n        gte: 3"));
        run.Send(0, ("EventID", 4625), ("Computer", "dc"), ("User", "a"));
        run.Send(1, ("EventID", 4625), ("Computer", "dc"), ("User", "a"));
        run.Send(2, ("EventID", 4625), ("Computer", "dc"), ("User", "b"));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(3, ("EventID", 4625), ("Computer", "dc"), ("User", "c"));
        run.Fired().Single().Value.ShouldBe(3);
    }

    [Fact]
    public void Temporal_needs_every_rule_in_any_order_within_the_timespan()
    {
        var run = new Run(Correlation("temporal", "gte: 2", rules: "- failed-logon\n        - good-logon", groupBy: "- User"));
        run.Send(0, ("EventID", 4624), ("User", "bob"));
        run.Send(30, ("EventID", 4625), ("User", "bob"));
        run.Send(40, ("EventID", 4625), ("User", "alice"));
        run.Fired().Single().Group.ShouldBe(["bob"]);
    }

    [Fact]
    public void Temporal_ordered_needs_the_rules_in_the_order_listed()
    {
        const string rules = "- failed-logon\n        - good-logon";
        var wrongOrder = new Run(Correlation("temporal_ordered", "gte: 2", rules: rules, groupBy: "- User"));
        wrongOrder.Send(0, ("EventID", 4624), ("User", "bob")).Send(10, ("EventID", 4625), ("User", "bob"));
        wrongOrder.Fired().ShouldBeEmpty();
        var rightOrder = new Run(Correlation("temporal_ordered", "gte: 2", rules: rules, groupBy: "- User"));
        rightOrder.Send(0, ("EventID", 4625), ("User", "bob")).Send(10, ("EventID", 4624), ("User", "bob"));
        rightOrder.Fired().Count.ShouldBe(1);
    }

    [Fact]
    public void Temporal_without_a_condition_needs_all_rules()
    {
        var yaml = Correlation("temporal", "gte: 2", rules: "- failed_logon\n        - good_logon", groupBy: "- User").Replace("    condition:\n        gte: 2\n", "", StringComparison.Ordinal);
        var run = new Run(yaml);
        run.Set.Correlations.Single().Condition.Gte.ShouldBe(2);
        run.Send(0, ("EventID", 4625), ("User", "bob")).Send(5, ("EventID", 4624), ("User", "bob"));
        run.Fired().Count.ShouldBe(1);
    }

    [Fact]
    public void Value_sum_adds_a_numeric_field()
    {
        var run = new Run(Correlation("value_sum", "field: Bytes\n        gt: 1000", rules: "- transfer", groupBy: "- User"));
        run.Send(0, ("Action", "transfer"), ("User", "u"), ("Bytes", 600));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(1, ("Action", "transfer"), ("User", "u"), ("Bytes", "500"));
        run.Fired().Single().Value.ShouldBe(1100);
    }

    [Fact]
    public void Value_avg_averages_a_numeric_field()
    {
        var run = new Run(Correlation("value_avg", "field: Bytes\n        gte: 200", rules: "- transfer", groupBy: "- User"));
        run.Send(0, ("Action", "transfer"), ("User", "u"), ("Bytes", 100));
        run.Send(1, ("Action", "transfer"), ("User", "u"), ("Bytes", 200));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(2, ("Action", "transfer"), ("User", "u"), ("Bytes", 600));
        run.Fired().Single().Value.ShouldBe(300);
    }

    [Fact]
    public void Value_percentile_fires_for_rare_values_of_the_group()
    {
        var run = new Run(Correlation("value_percentile", "field: Image\n        lte: 10", rules: "- transfer", groupBy: "- Computer", timespan: "1d"));
        for (var i = 0; i < 19; i++)
            run.Send(i, ("Action", "transfer"), ("Computer", "ws"), ("Image", "common.exe"));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(30, ("Action", "transfer"), ("Computer", "ws"), ("Image", "rare.exe"));
        var fired = run.Fired();
        fired.Single().Value.ShouldBe(5);
    }

    [Fact]
    public void Value_percentile_counts_only_the_values_still_in_the_window()
    {
        var run = new Run(Correlation("value_percentile", "field: Image\n        lte: 10", rules: "- transfer", groupBy: "- Computer", timespan: "1m"));
        for (var i = 0; i < 10; i++)
            run.Send(i, ("Action", "transfer"), ("Computer", "ws"), ("Image", "rare.exe"));
        run.Fired(flush: false).ShouldBeEmpty();
        // Ten minutes later the early ones have left the window: rare.exe is 1 of 20 there again.
        for (var i = 0; i < 19; i++)
            run.Send(600 + i, ("Action", "transfer"), ("Computer", "ws"), ("Image", "common.exe"));
        run.Send(630, ("Action", "transfer"), ("Computer", "ws"), ("Image", "rare.exe"));
        run.Fired().Single().Value.ShouldBe(5);
    }

    [Fact]
    public void Value_count_counts_only_the_distinct_values_still_in_the_window()
    {
        var run = new Run(Correlation("value_count", "field: User\n        gte: 3", timespan: "1m"));
        run.Send(0, ("EventID", 4625), ("Computer", "ws"), ("User", "alice"));
        run.Send(10, ("EventID", 4625), ("Computer", "ws"), ("User", "bob"));
        // Ten minutes later alice and bob have left the window: two users in it, not four.
        run.Send(600, ("EventID", 4625), ("Computer", "ws"), ("User", "carol"));
        run.Send(610, ("EventID", 4625), ("Computer", "ws"), ("User", "dave"));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(620, ("EventID", 4625), ("Computer", "ws"), ("User", "dave"));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Send(630, ("EventID", 4625), ("Computer", "ws"), ("User", "erin"));
        run.Fired(flush: false).Single().Value.ShouldBe(3);
    }

    [Fact]
    public void Fewer_than_conditions_are_decided_when_the_window_closes()
    {
        var run = new Run(Correlation("event_count", "lt: 3", timespan: "1m"));
        run.Send(0, ("EventID", 4625), ("Computer", "quiet"));
        run.Send(10, ("EventID", 4625), ("Computer", "busy")).Send(11, ("EventID", 4625), ("Computer", "busy")).Send(12, ("EventID", 4625), ("Computer", "busy"));
        run.Fired(flush: false).ShouldBeEmpty();
        run.Fired().Single().Group.ShouldBe(["quiet"]);
    }

    [Fact]
    public void Aliases_group_different_fields_of_different_rules()
    {
        const string yaml = """
            title: Failure then success from the same address
            id: corr-alias
            correlation:
                type: temporal
                rules:
                    - failed_logon
                    - good_logon
                group-by:
                    - address
                timespan: 10m
                aliases:
                    address:
                        failed_logon: IpAddress
                        good_logon: SourceAddress
            """;
        var run = new Run(yaml);
        run.Send(0, ("EventID", 4625), ("IpAddress", "10.0.0.5")).Send(5, ("EventID", 4624), ("SourceAddress", "10.0.0.5"));
        run.Send(6, ("EventID", 4624), ("SourceAddress", "10.0.0.9"));
        run.Fired().Single().Group.ShouldBe(["10.0.0.5"]);
    }

    [Fact]
    public void Correlations_chain()
    {
        const string yaml = """
            title: Many failures
            id: many-failures
            name: many_failures
            correlation:
                type: event_count
                rules:
                    - failed-logon
                group-by:
                    - User
                timespan: 10m
                condition:
                    gte: 2
            ---
            title: Brute force then success
            id: brute-then-success
            correlation:
                type: temporal_ordered
                rules:
                    - many_failures
                    - good-logon
                group-by:
                    - User
                timespan: 10m
            """;
        var run = new Run(yaml);
        run.Send(0, ("EventID", 4625), ("User", "bob")).Send(1, ("EventID", 4625), ("User", "bob")).Send(2, ("EventID", 4624), ("User", "bob"));
        run.Fired().Select(f => f.Correlation.Id).ShouldBe(["many-failures", "brute-then-success"]);
    }

    [Fact]
    public void Rules_named_by_a_correlation_only_feed_it_unless_generate_is_set()
    {
        var quiet = new Run(Correlation("event_count", "gte: 3"));
        quiet.Engine.IsCorrelationOnly(quiet.Set.Rules.Single(r => r.Id == "failed-logon")).ShouldBeTrue();
        quiet.Engine.IsCorrelationOnly(quiet.Set.Rules.Single(r => r.Id == "good-logon")).ShouldBeFalse();
        var loud = new Run(Correlation("event_count", "gte: 3").Replace("    timespan: 5m", "    generate: true\n    timespan: 5m", StringComparison.Ordinal));
        loud.Engine.IsCorrelationOnly(loud.Set.Rules.Single(r => r.Id == "failed-logon")).ShouldBeFalse();
    }

    [Fact]
    public void Group_state_is_bounded()
    {
        var set = SigmaRuleSet.FromYaml(Rules + "\n---\n" + Correlation("event_count", "gte: 2"));
        var correlator = new SigmaCorrelator(set, maxGroups: 10);
        var rule = set.Rules.Single(r => r.Id == "failed-logon");
        var fired = new List<SigmaCorrelationMatch>();
        for (var i = 0; i < 1000; i++)
            correlator.Process(rule, new DictionarySigmaEvent(RuleHarness.Event(("Computer", $"host{i}"))), T0.AddSeconds(i / 100.0), fired);
        // A thousand groups seen, at most ten kept; the newest still correlates.
        correlator.GroupCount.ShouldBeLessThanOrEqualTo(10);
        correlator.Process(rule, new DictionarySigmaEvent(RuleHarness.Event(("Computer", "host999"))), T0.AddSeconds(11), fired);
        fired.Count.ShouldBe(1);
    }
}
