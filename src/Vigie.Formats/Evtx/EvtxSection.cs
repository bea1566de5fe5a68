namespace Vigie.Formats.Evtx;

/// <summary>The part of the event a field comes from.</summary>
public enum EvtxSection : byte
{
    /// <summary><c>Event/System</c>: provider, event id, time, channel, computer, and so on.</summary>
    System,
    /// <summary><c>Event/EventData</c>: <c>Data</c> elements by their <c>Name</c> attribute (unnamed ones as <c>Data</c>).</summary>
    EventData,
    /// <summary><c>Event/UserData</c>: leaf elements by element name.</summary>
    UserData,
    /// <summary>Any other part of the event (<c>RenderingInfo</c>, <c>ProcessingErrorData</c>, …), named <c>Part_Element</c>.</summary>
    Other,
}
