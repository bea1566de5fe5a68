namespace Vigie.Sigma.Events;

/// <summary>
/// An event that can present the text of all its values without allocating a string per value. The engine uses
/// it, when an event offers it, to look for keyword literals (a keyword rule reads every value of every event of
/// its logsource); otherwise it falls back to <see cref="ISigmaEvent.CollectValues"/>.
/// </summary>
public interface ITextValueSource
{
    /// <summary>
    /// Calls <paramref name="visitor"/> with the text of every value <see cref="ISigmaEvent.CollectValues"/> would
    /// add (the same texts, in any order; list items one by one, nulls left out).
    /// </summary>
    void VisitText<TVisitor>(ref TVisitor visitor) where TVisitor : struct, ITextVisitor, allows ref struct;

    /// <summary>
    /// The event's raw JSON, when searching it for JSON-escaped literals finds exactly what searching the
    /// decoded values would (no <c>\u</c> or <c>\/</c> escapes, no embedded JSON documents), plus false
    /// positives across names and structure, which the rule's own evaluation then rejects. False for events
    /// that are not JSON.
    /// </summary>
    bool TryGetRawJson(out ReadOnlySpan<byte> utf8);
}

/// <summary>Receives the text of each value from <see cref="ITextValueSource.VisitText"/>.</summary>
public interface ITextVisitor
{
    /// <summary>One value's text, valid only during the call.</summary>
    void Visit(scoped ReadOnlySpan<char> text);
}
