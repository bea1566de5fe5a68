using System.Text;

namespace Vigie.Storage.Events;

/// <summary>PostgreSQL: jsonb containment and element expansion over the flat document, LIKE patterns, timestamptz times.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    private const string Elements = "jsonb_array_elements(CASE jsonb_typeof(e.doc->{0}) WHEN 'array' THEN e.doc->{0} ELSE jsonb_build_array(e.doc->{0}) END)";

    private static string ElementsOf(string f) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Elements, f);

    public override string JsonEquals(SqlParameters p, string field, string text, double? number)
    {
        var f = p.Add(field);
        var t = p.Add(text);
        var sql = $"(e.doc->{f} = to_jsonb({t}::text) OR e.doc->{f} @> jsonb_build_array({t}::text)";
        if (number is { } n)
        {
            var v = p.Add(n);
            sql += $" OR e.doc->{f} = to_jsonb({v}::numeric) OR e.doc->{f} @> jsonb_build_array({v}::numeric)";
        }
        return sql + ")";
    }

    public override string JsonMatches(SqlParameters p, string field, string pattern) =>
        $"EXISTS (SELECT 1 FROM {ElementsOf(p.Add(field))} x WHERE jsonb_typeof(x) = 'string' AND x #>> '{{}}' LIKE {p.Add(Pattern(pattern))})";

    public override string JsonExists(SqlParameters p, string field) => $"jsonb_exists(e.doc, {p.Add(field)})";

    public override string JsonNumberCompare(SqlParameters p, string field, string op, double value) =>
        $"EXISTS (SELECT 1 FROM {ElementsOf(p.Add(field))} x WHERE (jsonb_typeof(x) = 'number' OR (x #>> '{{}}') ~ '^-?[0-9]+(\\.[0-9]+)?$') AND (x #>> '{{}}')::numeric {op} {p.Add(value)}::numeric)";

    public override string JsonTextCompare(SqlParameters p, string field, string op, string value) =>
        $"EXISTS (SELECT 1 FROM {ElementsOf(p.Add(field))} x WHERE jsonb_typeof(x) = 'string' AND x #>> '{{}}' {op} {p.Add(value)}::text COLLATE \"C\")";

    public override string ColumnMatches(string column, SqlParameters p, string pattern) => $"e.{column} LIKE {p.Add(Pattern(pattern))}";

    public override string FreeText(SqlParameters p, string text) =>
        $"e.doc::text ILIKE {p.Add("%" + LikeEscape(text).Replace('*', '%').Replace('?', '_') + "%")}";

    private static string LikeEscape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    public override object TimeValue(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc);

    public override object EstablishmentValue(Guid id) => id;

    public override string Pattern(string wildcard)
    {
        var sb = new StringBuilder(wildcard.Length + 4);
        for (var i = 0; i < wildcard.Length; i++)
        {
            var c = wildcard[i];
            if (c == '\\' && i + 1 < wildcard.Length)
            {
                var next = wildcard[++i];
                sb.Append(next is '%' or '_' or '\\' ? "\\" + next : next.ToString());
                continue;
            }
            sb.Append(c switch { '*' => "%", '?' => "_", '%' => "\\%", '_' => "\\_", _ => c.ToString() });
        }
        return sb.ToString();
    }
}
