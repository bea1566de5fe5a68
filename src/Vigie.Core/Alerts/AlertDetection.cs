namespace Vigie.Core.Alerts;

/// <summary>
/// One detection grouped into an alert: where it came from, which event, and the fields worth keeping
/// (addresses, accounts, hosts, hashes; patient identifiers only pseudonymised). Kept for the first
/// <see cref="AlertBuilder.MaxDetectionsPerAlert"/> detections of an alert; the count goes on.
/// </summary>
public sealed class AlertDetection
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    /// <summary>The detection source (<c>sigma</c>, <c>privacy</c>, …).</summary>
    public required string Source { get; set; }
    /// <summary>The detection's id in its source; a detection is grouped once.</summary>
    public required string DetectionId { get; set; }
    public string? EventRef { get; set; }
    public DateTime Time { get; set; }
    /// <summary>The kept fields as a JSON object.</summary>
    public string? Fields { get; set; }
    public int? RiskScore { get; set; }
    /// <summary>This detection's facts, as a JSON array of strings.</summary>
    public string? Facts { get; set; }
}
