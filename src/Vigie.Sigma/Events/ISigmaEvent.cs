namespace Vigie.Sigma.Events;

/// <summary>
/// An event as the Sigma engine sees it: fields found by name, and every value enumerated for keyword
/// searches. Implementations adapt a source without converting it first: a <see cref="System.Text.Json.JsonElement"/>
/// (<see cref="JsonSigmaEvent"/>), a dictionary (<see cref="DictionarySigmaEvent"/>), or an EVTX record.
/// </summary>
/// <remarks>
/// The engine asks each field at most once per event and caches the answer, so an implementation may
/// do real work (walk a path, decode a string) in <see cref="TryGetField"/>. A dotted name such as
/// <c>process.command_line</c> should find a literal key of that name first, then the nested path.
/// </remarks>
public interface ISigmaEvent
{
    /// <summary>Finds a field by name; false when the event has no such field (a null value is a field that exists).</summary>
    bool TryGetField(string name, out SigmaFieldValue value);

    /// <summary>Adds every scalar value of the event (strings, numbers, booleans) to <paramref name="values"/>, for keyword searches.</summary>
    void CollectValues(List<SigmaFieldValue> values);
}
