namespace Vigie.Sigma.Events;

/// <summary>
/// An event that can present the text of all its values without allocating a string per value. The
/// engine uses it, when an event offers it, to look for keyword literals; otherwise it falls back to
/// <see cref="ISigmaEvent.CollectValues"/>.
/// </summary>
internal interface ITextValueSource
{
    void VisitText<TVisitor>(ref TVisitor visitor) where TVisitor : struct, ITextVisitor, allows ref struct;
}

/// <summary>Receives the text of each value (valid only during the call).</summary>
internal interface ITextVisitor
{
    void Visit(ReadOnlySpan<char> text);
}
