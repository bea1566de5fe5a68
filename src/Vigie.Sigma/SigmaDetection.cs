using Vigie.Sigma.Parsing;

namespace Vigie.Sigma;

/// <summary>The <c>detection</c> section of a rule or filter: search identifiers and the condition over them.</summary>
public sealed class SigmaDetection
{
    internal SigmaDetection(IReadOnlyDictionary<string, SearchNode> searches, IReadOnlyList<string> conditions, ConditionExpression condition)
    {
        Searches = searches;
        Conditions = conditions;
        Condition = condition;
    }

    /// <summary>The search identifiers, as defined.</summary>
    public IEnumerable<string> Identifiers => Searches.Keys;

    /// <summary>The condition text; several conditions (a list) are joined with OR.</summary>
    public IReadOnlyList<string> Conditions { get; }

    internal IReadOnlyDictionary<string, SearchNode> Searches { get; }

    internal ConditionExpression Condition { get; }

    /// <summary>Every field name the detection reads (without modifiers), for mapping reports.</summary>
    public IEnumerable<string> Fields => Searches.Values.SelectMany(ItemsOf).Select(i => i.Field).OfType<string>().Distinct(StringComparer.Ordinal);

    internal static IEnumerable<DetectionItem> ItemsOf(SearchNode node) => node switch
    {
        ItemsSearch s => s.Items,
        AlternativesSearch a => a.Alternatives.SelectMany(ItemsOf),
        _ => [],
    };
}
