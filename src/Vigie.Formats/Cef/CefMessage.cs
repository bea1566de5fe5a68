namespace Vigie.Formats.Cef;

/// <summary>
/// An ArcSight Common Event Format record: <c>CEF:Version|Vendor|Product|DeviceVersion|SignatureId|Name|Severity|Extension</c>,
/// with header values and extension values unescaped.
/// </summary>
public sealed class CefMessage
{
    /// <summary>The CEF version (0 or 1).</summary>
    public required string Version { get; init; }
    /// <summary>The device vendor.</summary>
    public required string DeviceVendor { get; init; }
    /// <summary>The device product.</summary>
    public required string DeviceProduct { get; init; }
    /// <summary>The device version.</summary>
    public required string DeviceVersion { get; init; }
    /// <summary>The signature (event class) id.</summary>
    public required string SignatureId { get; init; }
    /// <summary>The human-readable name of the event.</summary>
    public required string Name { get; init; }
    /// <summary>The severity as written: 0–10, or Low, Medium, High, Very-High, Unknown.</summary>
    public required string Severity { get; init; }
    /// <summary>The extension's key-value pairs, in order (<c>src</c>, <c>dst</c>, <c>suser</c>, …).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Extensions { get; init; }
}
