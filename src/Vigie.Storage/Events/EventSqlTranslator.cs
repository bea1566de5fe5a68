using System.Globalization;
using Vigie.Core;
using Vigie.Core.Events;
using Vigie.Core.Events.Query;
using Vigie.Core.Ingestion;

namespace Vigie.Storage.Events;

/// <summary>Rewrites a query tree into a SQL condition over <c>events e</c> for one dialect.</summary>
internal static class EventSqlTranslator
{
    public static string Translate(QueryNode node, SqlDialect d, SqlParameters p) => node switch
    {
        AndNode and => "(" + string.Join(" AND ", and.Children.Select(c => Translate(c, d, p))) + ")",
        OrNode or => "(" + string.Join(" OR ", or.Children.Select(c => Translate(c, d, p))) + ")",
        NotNode not => "NOT (" + Translate(not.Child, d, p) + ")",
        FieldExists exists => Exists(exists.Field, d, p),
        FreeText text => d.FreeText(p, text.Text),
        FieldMatch match => Match(match, d, p),
        RangeMatch range => Range(range, d, p),
        _ => throw new InvalidOperationException($"unknown query node {node.GetType().Name}"),
    };

    private static string Exists(string field, SqlDialect d, SqlParameters p)
    {
        if (field == EventFields.Timestamp)
            return "1=1";
        return EventFields.Columns.TryGetValue(field, out var column) ? $"e.{column} IS NOT NULL" : d.JsonExists(p, field);
    }

    private static string Match(FieldMatch m, SqlDialect d, SqlParameters p)
    {
        if (m.Field == EventFields.Timestamp)
        {
            var (time, wholeDay) = ParseTime(m.Field, m.Value);
            if (wholeDay)
                return $"(e.ts >= {p.Add(d.TimeValue(time))} AND e.ts < {p.Add(d.TimeValue(time.AddDays(1)))})";
            return $"e.ts = {p.Add(d.TimeValue(time))}";
        }
        if (EventFields.Columns.TryGetValue(m.Field, out var column))
            return m.Wildcard ? d.ColumnMatches(column, p, m.Value) : $"e.{column} = {p.Add(m.Value)}";
        if (m.Wildcard)
            return d.JsonMatches(p, m.Field, m.Value);
        double? number = double.TryParse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;
        return d.JsonEquals(p, m.Field, m.Value, number);
    }

    private static string Range(RangeMatch r, SqlDialect d, SqlParameters p)
    {
        var parts = new List<string>();
        if (r.Field == EventFields.Timestamp)
        {
            if (r.Low is not null)
                parts.Add($"e.ts {(r.IncludeLow ? ">=" : ">")} {p.Add(d.TimeValue(ParseTime(r.Field, r.Low).Time))}");
            if (r.High is not null)
            {
                var (high, wholeDay) = ParseTime(r.Field, r.High);
                // [2026-01-01 TO 2026-01-31] includes the whole last day.
                if (wholeDay && r.IncludeHigh)
                    parts.Add($"e.ts < {p.Add(d.TimeValue(high.AddDays(1)))}");
                else
                    parts.Add($"e.ts {(r.IncludeHigh ? "<=" : "<")} {p.Add(d.TimeValue(high))}");
            }
            return parts.Count == 0 ? "1=1" : "(" + string.Join(" AND ", parts) + ")";
        }
        var bounds = new[] { r.Low, r.High }.Where(b => b is not null).ToList();
        if (bounds.Count == 0)
            return Exists(r.Field, d, p);
        var numeric = bounds.All(b => double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        string Text(string bound) => !numeric && TryParseTime(bound, out var t, out _) ? t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) : bound;
        if (r.Low is not null)
            parts.Add(Compare(r.Field, r.IncludeLow ? ">=" : ">", r.Low));
        if (r.High is not null)
            parts.Add(Compare(r.Field, r.IncludeHigh ? "<=" : "<", r.High));
        return "(" + string.Join(" AND ", parts) + ")";

        string Compare(string field, string op, string bound)
        {
            if (numeric)
                return d.JsonNumberCompare(p, field, op, double.Parse(bound, CultureInfo.InvariantCulture));
            if (EventFields.Columns.TryGetValue(field, out var column))
                return $"e.{column} {op} {p.Add(Text(bound))}";
            return d.JsonTextCompare(p, field, op, Text(bound));
        }
    }

    private static (DateTime Time, bool WholeDay) ParseTime(string field, string text)
    {
        if (!TryParseTime(text, out var time, out var wholeDay))
            throw VigieException.Invalid($"'{text}' is not a time for {field} (use 2026-03-01, 2026-03-01T08:00:00Z or now-7d)");
        return (time, wholeDay);
    }

    public static bool TryParseTime(string text, out DateTime time, out bool wholeDay) => QueryTime.TryParse(text, out time, out wholeDay);
}
