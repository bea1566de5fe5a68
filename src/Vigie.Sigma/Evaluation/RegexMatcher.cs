using System.Text.RegularExpressions;
using Vigie.Sigma.Events;

namespace Vigie.Sigma.Evaluation;

/// <summary>Modifier <c>re</c>: a regular expression, case-sensitive unless <c>|i</c>.</summary>
internal sealed class RegexMatcher(Regex regex) : ValueMatcher
{
    public Regex Regex { get; } = regex;

    public override bool Matches(in SigmaFieldValue value)
    {
        var text = value.Text;
        if (text is null || value.Kind is SigmaValueKind.Null or SigmaValueKind.List or SigmaValueKind.Object)
            return false;
        try
        {
            return Regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological value must not stall the pipeline; a timed-out expression is no match.
            return false;
        }
    }
}
