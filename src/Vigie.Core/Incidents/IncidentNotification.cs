namespace Vigie.Core.Incidents;

/// <summary>A notification sent to an authority (or to the people affected) under one regulation: it stops that clock.</summary>
public sealed class IncidentNotification
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    /// <summary>The clock's regulation id (<c>gdpr-art33</c>, <c>loi-05-20</c>, …).</summary>
    public required string Regulation { get; set; }
    public DateTime SubmittedAt { get; set; }
    public required string SubmittedBy { get; set; }
    /// <summary>The authority's acknowledgement number or a note.</summary>
    public string? Reference { get; set; }
}
