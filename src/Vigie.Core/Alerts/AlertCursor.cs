namespace Vigie.Core.Alerts;

/// <summary>How far the alert pump has read a detection source.</summary>
public sealed class AlertCursor
{
    public required string Source { get; set; }
    public long Position { get; set; }
    public DateTime UpdatedAt { get; set; }
}
