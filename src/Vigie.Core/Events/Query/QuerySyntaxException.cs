namespace Vigie.Core.Events.Query;

/// <summary>A search that cannot be read, with the 1-based character position of the problem.</summary>
public sealed class QuerySyntaxException(string message, int position) : Exception($"query syntax error at position {position}: {message}")
{
    public int Position { get; } = position;
}
