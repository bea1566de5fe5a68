namespace Vigie.Sigma.Events;

/// <summary>The kind of a value an event gives for a field.</summary>
public enum SigmaValueKind
{
    /// <summary>An explicit null (JSON <c>null</c>, an empty EVTX element the reader renders as null).</summary>
    Null = 0,
    /// <summary>A string.</summary>
    String,
    /// <summary>A number; <see cref="SigmaFieldValue.Text"/> holds its textual form as the event wrote it.</summary>
    Number,
    /// <summary>A boolean; <see cref="SigmaFieldValue.Text"/> is <c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>Several values (a JSON array): a rule value matches when it matches any of them.</summary>
    List,
    /// <summary>A nested object that is not a scalar: it exists, its <see cref="SigmaFieldValue.Text"/> is its JSON text.</summary>
    Object,
}
