namespace Vigie.Core.Alerts;

/// <summary>
/// An exception to one or more rules, written as a Sigma filter (<c>filter: {rules: [...], selection: ..., condition: ...}</c>):
/// detections whose event the filter matches make no alert. Owned, explained and expiring like a suppression,
/// with its hits counted.
/// </summary>
public sealed class AlertFilter
{
    public long Id { get; set; }
    public required string Title { get; set; }
    /// <summary>The rules the filter names, comma-separated.</summary>
    public required string RuleIds { get; set; }
    /// <summary>The Sigma filter document as written.</summary>
    public required string Yaml { get; set; }
    public required string Owner { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public long Hits { get; set; }
    public DateTime? LastHitAt { get; set; }

    public IReadOnlyList<string> Rules => Alert.Split(RuleIds);

    public bool IsActive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}
