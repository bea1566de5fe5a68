using System.Text;

namespace Vigie.Storage.Events;

/// <summary>SQLite: json_each over the flat document (a scalar yields itself, a list its elements), GLOB patterns, microsecond integer times.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    private static string Path(SqlParameters p, string field) => p.Add("$.\"" + field + "\"");

    public override string JsonEquals(SqlParameters p, string field, string text, double? number)
    {
        var path = Path(p, field);
        var t = p.Add(text);
        if (number is { } n)
        {
            var v = p.Add(n);
            return $"EXISTS (SELECT 1 FROM json_each(e.doc, {path}) j WHERE j.value = {t} OR (j.type IN ('integer','real') AND j.value = {v}))";
        }
        return $"EXISTS (SELECT 1 FROM json_each(e.doc, {path}) j WHERE j.value = {t})";
    }

    public override string JsonMatches(SqlParameters p, string field, string pattern) =>
        $"EXISTS (SELECT 1 FROM json_each(e.doc, {Path(p, field)}) j WHERE j.type = 'text' AND j.value GLOB {p.Add(Pattern(pattern))})";

    public override string JsonExists(SqlParameters p, string field) => $"json_type(e.doc, {Path(p, field)}) IS NOT NULL";

    public override string JsonNumberCompare(SqlParameters p, string field, string op, double value) =>
        $"EXISTS (SELECT 1 FROM json_each(e.doc, {Path(p, field)}) j WHERE (j.type IN ('integer','real') OR (j.type = 'text' AND j.value GLOB '[0-9-]*' AND j.value NOT GLOB '*[^0-9.eE+-]*')) AND CAST(j.value AS REAL) {op} {p.Add(value)})";

    public override string JsonTextCompare(SqlParameters p, string field, string op, string value) =>
        $"EXISTS (SELECT 1 FROM json_each(e.doc, {Path(p, field)}) j WHERE j.type = 'text' AND j.value {op} {p.Add(value)})";

    public override string ColumnMatches(string column, SqlParameters p, string pattern) => $"e.{column} GLOB {p.Add(Pattern(pattern))}";

    public override string FreeText(SqlParameters p, string text) =>
        $"e.doc LIKE {p.Add("%" + LikeEscape(text).Replace('*', '%').Replace('?', '_') + "%")} ESCAPE '\\'";

    private static string LikeEscape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    public override object TimeValue(DateTime utc) => ToMicros(utc);

    public static long ToMicros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc);

    public override object EstablishmentValue(Guid id) => Guid(id);

    /// <summary>GUIDs as EF Core's SQLite provider writes them (upper-case text), so both read each other's rows.</summary>
    public static string Guid(Guid id) => id.ToString().ToUpperInvariant();

    public override string Pattern(string wildcard)
    {
        var sb = new StringBuilder(wildcard.Length + 4);
        for (var i = 0; i < wildcard.Length; i++)
        {
            var c = wildcard[i];
            if (c == '\\' && i + 1 < wildcard.Length)
            {
                var next = wildcard[++i];
                sb.Append(next is '*' or '?' or '[' ? "[" + next + "]" : next.ToString());
                continue;
            }
            sb.Append(c == '[' ? "[[]" : c.ToString());
        }
        return sb.ToString();
    }
}
