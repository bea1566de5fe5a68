namespace Vigie.Sigma.Parsing;

/// <summary>The definition of a search identifier: a map (all items hold) or a list of maps (any holds).</summary>
internal abstract class SearchNode;

/// <summary>A map of detection items, joined with AND (or a keyword list: one item).</summary>
internal sealed class ItemsSearch(IReadOnlyList<DetectionItem> items) : SearchNode
{
    public IReadOnlyList<DetectionItem> Items { get; } = items;
}

/// <summary>A list of maps, joined with OR.</summary>
internal sealed class AlternativesSearch(IReadOnlyList<SearchNode> alternatives) : SearchNode
{
    public IReadOnlyList<SearchNode> Alternatives { get; } = alternatives;
}
