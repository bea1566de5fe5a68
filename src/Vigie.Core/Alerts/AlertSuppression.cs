namespace Vigie.Core.Alerts;

/// <summary>
/// Detections of a rule (optionally only about one entity, or in one establishment's subtree) that make no
/// alert until the suppression expires. Every suppression has an owner who answers for it, a reason and an
/// expiry; its hits are counted so that a suppression hiding a lot is seen.
/// </summary>
public sealed class AlertSuppression
{
    public long Id { get; set; }
    public required string RuleId { get; set; }
    /// <summary><c>kind:value</c> as on alerts (<c>user:alice</c>); null for every entity.</summary>
    public string? Entity { get; set; }
    /// <summary>Only detections of this establishment and its subtree; null for everywhere.</summary>
    public Guid? EstablishmentId { get; set; }
    public required string Owner { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public long Hits { get; set; }
    public DateTime? LastHitAt { get; set; }

    public bool IsActive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}
