using System.Buffers;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>
/// A list of <c>contains</c> values of one field, searched in one pass with a vectorised multi-string
/// search (<see cref="SearchValues{T}"/>, Teddy or Aho-Corasick inside) instead of one scan per value:
/// rules such as "suspicious command-line flags" list dozens of substrings of the same field.
/// </summary>
/// <remarks>
/// The search structure is built on first use: the corpus has ~2,500 such lists, and building them all
/// when rules load would cost loading time for lists most events never reach.
/// </remarks>
internal sealed class ContainsAnyMatcher(string[] literals, bool cased) : ValueMatcher
{
    private SearchValues<string>? _values;

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        var values = _values ??= SearchValues.Create(literals, cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
        return text.AsSpan().ContainsAny(values);
    }

    public override bool TryAddRequirements(List<(LiteralPosition Position, string Literal)> requirements)
    {
        foreach (var literal in literals)
            requirements.Add((LiteralPosition.Contains, literal));
        return true;
    }
}
