namespace Vigie.Sigma.Events;

/// <summary>
/// An event that can present the text of all its values without allocating a string per value. The
/// engine uses it, when an event offers it, to look for keyword literals; otherwise it falls back to
/// <see cref="ISigmaEvent.CollectValues"/>.
/// </summary>
internal interface ITextValueSource
{
    void VisitText<TVisitor>(ref TVisitor visitor) where TVisitor : struct, ITextVisitor, allows ref struct;

    /// <summary>
    /// The event's raw JSON, when searching it for JSON-escaped literals finds exactly what searching the
    /// decoded values would (no <c>\u</c> or <c>\/</c> escapes, no embedded JSON documents), plus false
    /// positives across names and structure, which the rule's own evaluation then rejects.
    /// </summary>
    bool TryGetRawJson(out ReadOnlySpan<byte> utf8);
}

/// <summary>Receives the text of each value (valid only during the call).</summary>
internal interface ITextVisitor
{
    void Visit(ReadOnlySpan<char> text);
}
