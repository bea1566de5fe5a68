using System.Globalization;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Correlation;

/// <summary>
/// Runs correlation rules over rule matches delivered in event-time order. State is kept per correlation
/// and group-by values, holds only matches inside the timespan, and is bounded in groups and entries.
/// </summary>
/// <remarks>
/// Conditions with a lower bound (<c>gt</c>, <c>gte</c>, <c>eq</c>, <c>neq</c>) are checked as each match
/// arrives; a correlation that fires starts its group afresh, so one burst gives one match. Conditions with
/// only upper bounds (<c>lt</c>, <c>lte</c>: "fewer than") can only be decided once the window is over: they
/// are checked when a later match of the group falls outside the window, and at <see cref="Flush"/>.
/// Temporal correlations fire when the named rules all matched (in order, for temporal_ordered) within the
/// timespan; value_percentile fires when the share of the group's matches carrying the current value
/// (a percentage) satisfies the condition.
/// </remarks>
public sealed class SigmaCorrelator
{
    private readonly Dictionary<string, List<(State State, int Position)>> _consumers = new(StringComparer.Ordinal);
    private readonly List<State> _states = [];
    private readonly int _maxGroups;
    private readonly int _maxEntries;

    /// <summary>Prepares the correlations of a rule set.</summary>
    /// <param name="set">The rules and correlations.</param>
    /// <param name="maxGroups">Most groups kept per correlation; the stalest are dropped beyond.</param>
    /// <param name="maxEntriesPerGroup">Most matches kept per group; the oldest are dropped beyond.</param>
    public SigmaCorrelator(SigmaRuleSet set, int maxGroups = 100_000, int maxEntriesPerGroup = 10_000)
    {
        ArgumentNullException.ThrowIfNull(set);
        _maxGroups = maxGroups;
        _maxEntries = maxEntriesPerGroup;
        foreach (var correlation in set.Correlations)
        {
            var state = new State(correlation);
            _states.Add(state);
            for (var i = 0; i < correlation.Rules.Count; i++)
            {
                var reference = correlation.Rules[i];
                if (!_consumers.TryGetValue(reference, out var list))
                    _consumers[reference] = list = [];
                list.Add((state, i));
            }
        }
    }

    /// <summary>Groups currently held, over every correlation.</summary>
    internal int GroupCount => _states.Sum(s => s.Groups.Count);

    /// <summary>Whether any correlation is loaded.</summary>
    public bool HasCorrelations => _states.Count > 0;

    /// <summary>Feeds one rule match; correlations that fire (and chained ones they feed) are added to <paramref name="fired"/>.</summary>
    public void Process(SigmaRule rule, ISigmaEvent e, DateTimeOffset time, List<SigmaCorrelationMatch> fired)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(fired);
        if (rule.Id is not null)
            Deliver(rule.Id, e, time, fired, 0);
        if (rule.Name is not null && rule.Name != rule.Id)
            Deliver(rule.Name, e, time, fired, 0);
    }

    /// <summary>Ends the stream: windows still open are closed and "fewer than" conditions decided.</summary>
    public void Flush(List<SigmaCorrelationMatch> fired)
    {
        ArgumentNullException.ThrowIfNull(fired);
        foreach (var state in _states)
        {
            foreach (var (key, group) in state.Groups.ToList())
            {
                if (state.UpperBoundOnly && group.Entries.Count > 0)
                {
                    var value = state.Aggregate(group, null);
                    if (state.Correlation.Condition.IsSatisfiedBy(value))
                        fired.Add(new SigmaCorrelationMatch(state.Correlation, group.Entries[^1].Time, group.Values, value, group.Entries.Count));
                }
                state.Groups.Remove(key);
            }
        }
    }

    private void Deliver(string reference, ISigmaEvent e, DateTimeOffset time, List<SigmaCorrelationMatch> fired, int depth)
    {
        if (depth > 16 || !_consumers.TryGetValue(reference, out var consumers))
            return;
        foreach (var (state, position) in consumers)
        {
            var match = state.Add(reference, position, e, time, _maxGroups, _maxEntries, fired);
            if (match is null)
                continue;
            fired.Add(match);
            // Chained correlations see the correlation match as an event carrying its group-by values.
            var chained = new GroupEvent(state.Correlation.GroupBy, match.Group, e);
            if (state.Correlation.Id is not null)
                Deliver(state.Correlation.Id, chained, time, fired, depth + 1);
            if (state.Correlation.Name is not null && state.Correlation.Name != state.Correlation.Id)
                Deliver(state.Correlation.Name, chained, time, fired, depth + 1);
        }
    }

    private sealed class Group(string[] values)
    {
        public string[] Values { get; } = values;
        public List<Entry> Entries { get; } = [];
        public DateTimeOffset WindowStart { get; set; }
        /// <summary>
        /// For value_count and value_percentile, how many entries of the window carry each value, kept as entries come
        /// and go: recounting the window (up to its bound) on every match took most of privacy monitoring's CPU under
        /// a load of FHIR reads (perf, bench/fhir/run.sh, docs/BENCHMARKS.md).
        /// </summary>
        public Dictionary<string, int>? ValueCounts { get; set; }

        public void RemoveOldest(int count)
        {
            if (ValueCounts is { } counts)
            {
                for (var i = 0; i < count; i++)
                {
                    if (Entries[i].Value is { } v && --counts[v] == 0)
                        counts.Remove(v);
                }
            }
            Entries.RemoveRange(0, count);
        }

        public void Clear()
        {
            Entries.Clear();
            ValueCounts?.Clear();
        }
    }

    private readonly record struct Entry(DateTimeOffset Time, int Position, string? Value, double Number);

    private sealed class State(SigmaCorrelationRule correlation)
    {
        public SigmaCorrelationRule Correlation { get; } = correlation;
        public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);
        public bool UpperBoundOnly { get; } = correlation.Condition is { Gt: null, Gte: null, Eq: null, Neq: null }
            && correlation.Type is not (SigmaCorrelationType.Temporal or SigmaCorrelationType.TemporalOrdered or SigmaCorrelationType.ValuePercentile);

        public SigmaCorrelationMatch? Add(string reference, int position, ISigmaEvent e, DateTimeOffset time, int maxGroups, int maxEntries, List<SigmaCorrelationMatch> fired)
        {
            var values = new string[Correlation.GroupBy.Count];
            for (var i = 0; i < values.Length; i++)
                values[i] = Lookup(e, FieldFor(Correlation.GroupBy[i], reference)) ?? "";
            var key = string.Join('\u001f', values);
            if (!Groups.TryGetValue(key, out var group))
            {
                if (Groups.Count >= maxGroups)
                    Evict(time, maxGroups);
                Groups[key] = group = new Group(values) { WindowStart = time };
            }

            if (UpperBoundOnly && group.Entries.Count > 0 && time - group.WindowStart > Correlation.Timespan)
            {
                // The window closed: decide "fewer than" on it, then start the next one with this match.
                var closed = Aggregate(group, null);
                var last = group.Entries[^1].Time;
                var count = group.Entries.Count;
                group.Clear();
                group.WindowStart = time;
                if (Correlation.Condition.IsSatisfiedBy(closed))
                    fired.Add(new SigmaCorrelationMatch(Correlation, last, values, closed, count));
            }

            string? value = null;
            var number = double.NaN;
            if (Correlation.Condition.Field is { } field)
            {
                value = Lookup(e, FieldFor(field, reference));
                if (value is null && Correlation.Type != SigmaCorrelationType.EventCount)
                    return null; // the aggregated field is absent: nothing to count
                if (value is not null)
                    double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            }
            group.Entries.Add(new Entry(time, position, value, number));
            if (Correlation.Type is SigmaCorrelationType.ValuePercentile or SigmaCorrelationType.ValueCount && value is not null)
            {
                group.ValueCounts ??= new Dictionary<string, int>(StringComparer.Ordinal);
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(group.ValueCounts, value, out _)++;
            }
            if (!UpperBoundOnly)
            {
                var horizon = time - Correlation.Timespan;
                var expired = 0;
                while (expired < group.Entries.Count && group.Entries[expired].Time < horizon)
                    expired++;
                if (expired > 0)
                    group.RemoveOldest(expired);
            }
            if (group.Entries.Count > maxEntries)
                group.RemoveOldest(group.Entries.Count - maxEntries);
            if (UpperBoundOnly)
                return null;
            var aggregate = Aggregate(group, value);
            if (!Correlation.Condition.IsSatisfiedBy(aggregate))
                return null;
            var match = new SigmaCorrelationMatch(Correlation, time, values, aggregate, group.Entries.Count);
            if (Correlation.Type != SigmaCorrelationType.ValuePercentile)
                group.Clear();
            return match;
        }

        public double Aggregate(Group group, string? current)
        {
            var entries = group.Entries;
            switch (Correlation.Type)
            {
                case SigmaCorrelationType.EventCount:
                    return entries.Count;
                case SigmaCorrelationType.ValueCount:
                    return group.ValueCounts?.Count ?? 0;
                case SigmaCorrelationType.ValueSum:
                    return entries.Where(x => !double.IsNaN(x.Number)).Sum(x => x.Number);
                case SigmaCorrelationType.ValueAvg:
                    var numbers = entries.Where(x => !double.IsNaN(x.Number)).ToList();
                    return numbers.Count == 0 ? double.NaN : numbers.Average(x => x.Number);
                case SigmaCorrelationType.ValuePercentile:
                    if (current is null || entries.Count == 0)
                        return double.NaN;
                    return 100.0 * (group.ValueCounts?.GetValueOrDefault(current) ?? 0) / entries.Count;
                case SigmaCorrelationType.Temporal:
                    return entries.Select(x => x.Position).Distinct().Count();
                case SigmaCorrelationType.TemporalOrdered:
                    var next = 0;
                    foreach (var entry in entries)
                    {
                        if (next < Correlation.Rules.Count && entry.Position == next)
                            next++;
                    }
                    return next;
                default:
                    return double.NaN;
            }
        }

        private string FieldFor(string field, string reference) =>
            Correlation.Aliases.TryGetValue(field, out var perRule) && perRule.TryGetValue(reference, out var actual) ? actual : field;

        private void Evict(DateTimeOffset now, int maxGroups)
        {
            var horizon = now - Correlation.Timespan;
            foreach (var (key, group) in Groups.ToList())
            {
                if (group.Entries.Count == 0 || group.Entries[^1].Time < horizon)
                    Groups.Remove(key);
            }
            if (Groups.Count >= maxGroups)
            {
                // Still full of live groups: drop the stalest half rather than grow without bound.
                foreach (var key in Groups.OrderBy(g => g.Value.Entries.Count == 0 ? DateTimeOffset.MinValue : g.Value.Entries[^1].Time)
                    .Take(Groups.Count / 2).Select(g => g.Key).ToList())
                    Groups.Remove(key);
            }
        }

        private static string? Lookup(ISigmaEvent e, string field) =>
            e.TryGetField(field, out var v) && v.Kind != SigmaValueKind.Null ? v.Kind == SigmaValueKind.List ? string.Join(",", v.Items!) : v.Text : null;
    }

    /// <summary>A correlation match seen by a chained correlation: its group-by values, then the triggering event.</summary>
    private sealed class GroupEvent(IReadOnlyList<string> fields, IReadOnlyList<string> values, ISigmaEvent inner) : ISigmaEvent
    {
        public bool TryGetField(string name, out SigmaFieldValue value)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (string.Equals(fields[i], name, StringComparison.Ordinal))
                {
                    value = SigmaFieldValue.FromString(values[i]);
                    return true;
                }
            }
            return inner.TryGetField(name, out value);
        }

        public void CollectValues(List<SigmaFieldValue> values) => inner.CollectValues(values);
    }
}
