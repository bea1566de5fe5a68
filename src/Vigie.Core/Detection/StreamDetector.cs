using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;
using Vigie.Sigma;
using Vigie.Sigma.Correlation;
using Vigie.Sigma.Mapping;

namespace Vigie.Core.Detection;

/// <summary>
/// Detection on the stream: follows the event store from a durable cursor, runs every stored event through the
/// enabled Sigma rules, and stores each match as a <see cref="Detection"/> together with the new cursor, in one
/// transaction. A crash between storing events and detecting on them re-detects on restart; the unique
/// (rule, event) index makes that harmless. Correlations run per establishment over the matches in arrival order.
/// </summary>
public sealed partial class StreamDetector(IEventStore store, EventWriter writer, IServiceScopeFactory scopes, IngestStats stats, ILogger<StreamDetector> logger)
{
    public const string CursorName = "detection";
    private const int BatchSize = 2000;

    private SigmaEngine? _engine;
    private SigmaEvaluator? _evaluator;
    private string _stamp = "";
    private readonly Dictionary<Guid, SigmaCorrelator> _correlators = [];

    /// <summary>How many rules the running engine holds.</summary>
    public int RuleCount => _engine?.Rules.Count ?? 0;

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var cursor = await store.ReadCursorAsync(CursorName, ct);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var next = writer.NextCommit;
                // Events this process just committed come in memory; when they follow the cursor, no read-back is needed.
                if (writer.Committed.TryRead(out var handed))
                {
                    var fresh = handed.Where(e => e.Id > cursor).ToList();
                    if (fresh.Count == 0)
                        continue;
                    // Only when nothing else was stored in between (another process, another node): ids follow each other.
                    if (fresh[0].Id == cursor + 1 && fresh[^1].Id - fresh[0].Id + 1 == fresh.Count)
                    {
                        await DetectAsync(fresh.Select(e => new Candidate(e.Id, e.Timestamp, e.EstablishmentId, e.Document)).ToList(), ct);
                        cursor = fresh[^1].Id;
                        continue;
                    }
                }
                var processed = await DetectOnceAsync(cursor, ct);
                if (processed.Count == 0)
                {
                    await Task.WhenAny(next, Task.Delay(1000, ct));
                    continue;
                }
                cursor = processed.LastId;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e.GetType().Name, e.Message);
                await Task.Delay(2000, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                cursor = await store.ReadCursorAsync(CursorName, ct);
            }
        }
    }

    public readonly record struct Progress(int Count, long LastId);

    private readonly record struct Candidate(long Id, DateTime Timestamp, Guid EstablishmentId, EventDocument Document);

    /// <summary>Detects on the next events after <paramref name="cursor"/>, read from the store; returns how many and the new cursor.</summary>
    public async Task<Progress> DetectOnceAsync(long cursor, CancellationToken ct)
    {
        var events = await store.ReadAfterAsync(cursor, BatchSize, ct);
        if (events.Count == 0)
            return new Progress(0, cursor);
        var candidates = new List<Candidate>(events.Count);
        foreach (var stored in events)
        {
            try
            {
                candidates.Add(new Candidate(stored.Id, stored.Timestamp, stored.EstablishmentId, EventDocument.Parse(stored.Json)));
            }
            catch (System.Text.Json.JsonException)
            {
                // A document the store holds but cannot give back as JSON is not detected on; the cursor moves on.
            }
        }
        await DetectAsync(candidates, ct, events[^1].Id);
        return new Progress(events.Count, events[^1].Id);
    }

    private async Task DetectAsync(List<Candidate> events, CancellationToken ct, long? lastId = null)
    {
        // Checked after reading: rules imported before these events were stored apply to them.
        await RefreshRulesAsync(ct);
        var detections = new List<Detection>();
        if (_engine is not null && _evaluator is not null && _engine.Rules.Count > 0)
        {
            var matches = new List<SigmaRule>();
            var fired = new List<SigmaCorrelationMatch>();
            var now = DateTime.UtcNow;
            foreach (var e in events)
            {
                matches.Clear();
                if (_evaluator.Evaluate(e.Document, matches) == 0)
                    continue;
                stats.AddDetectedEvents(1);
                var correlator = CorrelatorFor(e.EstablishmentId);
                foreach (var rule in matches)
                {
                    if (!_engine.IsCorrelationOnly(rule))
                        detections.Add(FromRule(rule, e, now));
                    if (correlator is null)
                        continue;
                    fired.Clear();
                    correlator.Process(rule, e.Document, e.Timestamp, fired);
                    foreach (var c in fired)
                        detections.Add(FromCorrelation(c, e, now));
                }
            }
        }
        var last = lastId ?? events[^1].Id;
        await store.SaveDetectionsAsync(detections, CursorName, last, ct);
        stats.AddDetections(detections.Count);
        stats.AddDetectionProcessed(events.Count);
    }

    private SigmaCorrelator? CorrelatorFor(Guid establishment)
    {
        if (_engine is null || _engine.RuleSet.Correlations.Count == 0)
            return null;
        if (!_correlators.TryGetValue(establishment, out var correlator))
            _correlators[establishment] = correlator = new SigmaCorrelator(_engine.RuleSet, maxGroups: 10_000, maxEntriesPerGroup: 1_000);
        return correlator;
    }

    private static string Level(SigmaLevel level) => level == SigmaLevel.None ? "informational" : level.ToString().ToLowerInvariant();

    private static Detection FromRule(SigmaRule rule, Candidate e, DateTime now) => new()
    {
        RuleId = rule.Id ?? rule.Name ?? rule.Title,
        RuleTitle = rule.Title,
        Level = Level(rule.Level),
        Tags = string.Join(' ', rule.Tags),
        EventId = e.Id,
        EventTime = e.Timestamp,
        EstablishmentId = e.EstablishmentId,
        DetectedAt = now,
    };

    private static Detection FromCorrelation(SigmaCorrelationMatch c, Candidate e, DateTime now)
    {
        var group = new StringBuilder();
        for (var i = 0; i < c.Group.Count && i < c.Correlation.GroupBy.Count; i++)
        {
            if (group.Length > 0)
                group.Append("; ");
            group.Append(c.Correlation.GroupBy[i]).Append('=').Append(c.Group[i]);
        }
        return new Detection
        {
            RuleId = c.Correlation.Id ?? c.Correlation.Name ?? c.Correlation.Title,
            RuleTitle = c.Correlation.Title,
            Level = Level(c.Correlation.Level),
            Tags = string.Join(' ', c.Correlation.Tags),
            EventId = e.Id,
            EventTime = c.Time.UtcDateTime,
            EstablishmentId = e.EstablishmentId,
            DetectedAt = now,
            Correlation = true,
            GroupValues = group.ToString(),
            EventCount = c.EventCount,
        };
    }

    /// <summary>Recompiles when the enabled rules changed (another process may have imported or disabled some).</summary>
    public async Task RefreshRulesAsync(CancellationToken ct, bool force = false)
    {
        await using var scope = scopes.CreateAsyncScope();
        var library = scope.ServiceProvider.GetRequiredService<RuleLibrary>();
        var stamp = await library.StampAsync(ct);
        if (stamp == _stamp && !force)
            return;
        var (current, rules) = await library.EnabledAsync(ct);
        var clock = Stopwatch.StartNew();
        _engine = Compile(rules);
        _evaluator = _engine.CreateEvaluator();
        _correlators.Clear();
        _stamp = current;
        LogCompiled(logger, _engine.Rules.Count, _engine.RuleSet.Correlations.Count, _engine.RuleSet.Errors.Count, (long)clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// One engine over every enabled document, with the ECS mapping: Vigie's events carry ECS names beside their
    /// original ones, and the mapping falls back to a rule's own field name, so Windows, Linux, network and cloud
    /// rules all find their fields.
    /// </summary>
    public static SigmaEngine Compile(IReadOnlyList<DetectionRule> rules)
    {
        var yaml = new StringBuilder();
        // Rules and filters first, correlations last, so that references resolve in one load.
        foreach (var rule in rules.OrderBy(r => r.Kind == "correlation" ? 1 : 0))
        {
            if (yaml.Length > 0)
                yaml.Append("\n---\n");
            yaml.Append(rule.Yaml.TrimEnd());
        }
        return Compile(SigmaRuleSet.FromYaml(yaml.ToString(), "<store>"));
    }

    /// <summary>Compiles a rule set as the stream sees events: ECS names first, the rules' own names as fallback, the default logsources.</summary>
    public static SigmaEngine Compile(SigmaRuleSet set) =>
        SigmaEngine.Compile(set, new SigmaEngineOptions { FieldMapping = SigmaFieldMappings.Ecs, Logsources = SigmaLogsourceCatalog.CreateDefault() });

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Detection engine compiled: {Rules} rules, {Correlations} correlations, {Errors} rejected, in {Milliseconds} ms")]
    private static partial void LogCompiled(ILogger logger, int rules, int correlations, int errors, long milliseconds);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Detection pass failed ({ExceptionType}): {Reason}; retrying")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string reason);
}
