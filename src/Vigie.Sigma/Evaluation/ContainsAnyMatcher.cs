using System.Buffers;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// A list of <c>contains</c> values of one field, searched in one pass with a vectorised multi-string
/// search (<see cref="SearchValues{T}"/>, Teddy or Aho-Corasick inside) instead of one scan per value:
/// rules such as "suspicious command-line flags" list dozens of substrings of the same field.
/// </summary>
internal sealed class ContainsAnyMatcher : ValueMatcher
{
    private readonly SearchValues<string> _values;
    private readonly string[] _literals;

    public ContainsAnyMatcher(string[] literals, bool cased)
    {
        _literals = literals;
        _values = SearchValues.Create(literals, cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        return text.AsSpan().ContainsAny(_values);
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        foreach (var literal in _literals)
            requirements.Add((LiteralPosition.Contains, literal));
        return true;
    }
}
