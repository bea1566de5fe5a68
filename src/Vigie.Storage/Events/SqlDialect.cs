namespace Vigie.Storage.Events;

/// <summary>Where the SQL of the two event stores differs: JSON access, patterns, time columns.</summary>
internal abstract class SqlDialect
{
    /// <summary>Any value of the field (each element of a list) equals the text (or the number).</summary>
    public abstract string JsonEquals(SqlParameters p, string field, string text, double? number);

    public abstract string JsonMatches(SqlParameters p, string field, string pattern);

    public abstract string JsonExists(SqlParameters p, string field);

    public abstract string JsonNumberCompare(SqlParameters p, string field, string op, double value);

    public abstract string JsonTextCompare(SqlParameters p, string field, string op, string value);

    public abstract string ColumnMatches(string column, SqlParameters p, string pattern);

    public abstract string FreeText(SqlParameters p, string text);

    /// <summary>A time parameter in the form the <c>ts</c> column holds.</summary>
    public abstract object TimeValue(DateTime utc);

    public abstract object EstablishmentValue(Guid id);

    /// <summary>A query pattern (<c>*</c>, <c>?</c>, <c>\</c> escapes) in the store's pattern syntax.</summary>
    public abstract string Pattern(string wildcard);
}

/// <summary>Parameters of one command, named @p0, @p1, …</summary>
internal sealed class SqlParameters
{
    public List<(string Name, object Value)> Values { get; } = [];

    public string Add(object value)
    {
        var name = "@p" + Values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Values.Add((name, value));
        return name;
    }
}
