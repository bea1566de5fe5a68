using System.Globalization;
using Vigie.Core.Alerts;
using Vigie.Sigma;
using Vigie.Sigma.Correlation;

namespace Vigie.Core.Privacy;

/// <summary>
/// Privacy monitoring over the stream of record accesses, in time order: the privacy Sigma rules and
/// correlations, then the per-user baselines; every match becomes a detection (source <c>privacy</c>) carrying a
/// risk score and the facts that explain it. One monitor follows one stream; it is not thread-safe.
/// </summary>
public sealed class PrivacyMonitor
{
    public const string Source = "privacy";

    private readonly SigmaEngine _engine;
    private readonly SigmaEvaluator _evaluator;
    private readonly SigmaCorrelator _correlator;
    private readonly PrivacyBaseline _baseline;
    private readonly Func<string?, Guid?> _establishmentOf;
    private readonly List<SigmaRule> _matches = [];
    private readonly List<SigmaCorrelationMatch> _fired = [];

    /// <summary>
    /// A monitor: <paramref name="establishmentOf"/> gives the establishment id of an event's <c>organization.id</c>,
    /// <paramref name="zoneOf"/> its time zone (for the hours of the baseline); the rules default to the shipped ones;
    /// <paramref name="patientKey"/> turns a patient identifier into the key the baseline counts (a pseudonym).
    /// </summary>
    public PrivacyMonitor(Func<string?, Guid?> establishmentOf, Func<string?, string> zoneOf, PrivacyBaseline.Options? baseline = null, SigmaRuleSet? rules = null,
        Func<string, string>? patientKey = null)
    {
        _engine = PrivacyRules.Compile(rules);
        _evaluator = _engine.CreateEvaluator();
        _correlator = new SigmaCorrelator(_engine.RuleSet, maxGroups: 50_000, maxEntriesPerGroup: 5_000);
        _baseline = new PrivacyBaseline(baseline ?? new PrivacyBaseline.Options(), zoneOf, patientKey);
        _establishmentOf = establishmentOf;
    }

    public int Accesses { get; private set; }

    /// <summary>Learns from past accesses without judging them (to rebuild the baselines at start-up).</summary>
    public void Learn(RecordAccess access) => _baseline.Observe(access, judge: false);

    /// <summary>Judges one access; returns its detections (often none).</summary>
    public List<IncomingDetection> Process(RecordAccess access)
    {
        Accesses++;
        var detections = new List<IncomingDetection>();
        var facts = PrivacyRisk.Facts(access);
        _matches.Clear();
        _evaluator.Evaluate(access.Event, _matches);
        foreach (var rule in _matches)
        {
            if (!_engine.IsCorrelationOnly(rule))
                detections.Add(Make(access, rule.Id ?? rule.Reference, rule.Title, rule.Level, rule.Tags, facts));
            if (!_correlator.HasCorrelations)
                continue;
            _fired.Clear();
            _correlator.Process(rule, access.Event, new DateTimeOffset(access.Time, TimeSpan.Zero), _fired);
            foreach (var c in _fired)
                detections.Add(Make(access, c.Correlation.Id ?? c.Correlation.Reference, c.Correlation.Title, c.Correlation.Level, c.Correlation.Tags,
                    [.. facts, CorrelationFact(c)]));
        }
        foreach (var finding in _baseline.Observe(access))
        {
            detections.Add(Make(access, finding.RuleId, finding.Title, finding.Level, ["attack.collection", "attack.t1213", "vigie.privacy", "vigie.privacy.baseline"],
                [.. facts, finding.Fact]));
        }
        return detections;
    }

    private static PrivacyRisk.Fact CorrelationFact(SigmaCorrelationMatch c)
    {
        var n = c.Value.ToString("0", CultureInfo.InvariantCulture);
        var window = c.Correlation.Timespan.TotalHours >= 1 ? $"{c.Correlation.Timespan.TotalHours:0} h" : $"{c.Correlation.Timespan.TotalMinutes:0} min";
        return c.Correlation.Type switch
        {
            SigmaCorrelationType.ValueCount => new PrivacyRisk.Fact($"{n} distinct patients within {window}", 0.6),
            SigmaCorrelationType.EventCount when c.Correlation.Title.Contains("glass", StringComparison.OrdinalIgnoreCase) =>
                new PrivacyRisk.Fact($"the glass was broken {n} times within {window}", 0.4),
            _ => new PrivacyRisk.Fact($"{n} matching accesses within {window} ({c.Correlation.Title.ToLowerInvariant()})", 0.35),
        };
    }

    private IncomingDetection Make(RecordAccess access, string ruleId, string title, SigmaLevel level, IReadOnlyList<string> tags, List<PrivacyRisk.Fact> facts)
    {
        var reference = access.EventRef ?? $"{access.User}@{access.Time.Ticks}";
        return new IncomingDetection
        {
            Source = Source,
            Id = $"{reference}:{ruleId}",
            RuleId = ruleId,
            Title = title,
            Level = level,
            Tags = tags,
            EstablishmentId = _establishmentOf(access.Organization),
            Time = access.Time,
            EventRef = access.EventRef,
            Fields = access.Fields,
            EventJson = access.Root.GetRawText(),
            RiskScore = PrivacyRisk.Score(facts),
            Facts = facts.Select(f => f.Text).Distinct().ToList(),
        };
    }
}
