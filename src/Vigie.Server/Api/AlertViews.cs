using System.Text.Json;
using Vigie.Core.Alerts;
using Vigie.Core.Time;
using EstablishmentEntity = Vigie.Core.Establishments.Establishment;

namespace Vigie.Server.Api;

/// <summary>An ATT&amp;CK technique as alerts name it: its id, and its name and tactics when the technique list is loaded.</summary>
internal sealed record TechniqueView(string Id, string? Name, IReadOnlyList<string> Tactics)
{
    public static IReadOnlyList<TechniqueView> From(IReadOnlyList<string> ids, AttackCatalog catalog) =>
        ids.Select(id => catalog.Find(id) is { } t ? new TechniqueView(id, t.Name, t.Tactics) : new TechniqueView(id, null, [])).ToList();
}

/// <summary>An alert in the queue; times in its establishment's time zone.</summary>
internal sealed record AlertView(
    long Id, string RuleId, string Title, string Severity, string Status, string Category, string? Establishment, string? Entity,
    int Count, string FirstSeen, string LastSeen, IReadOnlyList<TechniqueView> Techniques, string? Assignee, int? RiskScore, long? IncidentId)
{
    public static AlertView From(Alert a, IReadOnlyDictionary<Guid, EstablishmentEntity> establishments, IReadOnlyDictionary<Guid, string> users, AttackCatalog catalog)
    {
        var (code, zone) = Place(a.EstablishmentId, establishments);
        return new(a.Id, a.RuleId, a.Title, a.Severity.ToName(), a.Status.ToName(), a.Category.ToName(), code, a.Entity, a.Count,
            LocalTime.Format(a.FirstSeen, zone), LocalTime.Format(a.LastSeen, zone), TechniqueView.From(a.TechniqueIds, catalog),
            a.AssigneeId is { } u && users.TryGetValue(u, out var name) ? name : null, a.RiskScore, a.IncidentId);
    }

    public static (string? Code, string Zone) Place(Guid? establishmentId, IReadOnlyDictionary<Guid, EstablishmentEntity> establishments) =>
        establishmentId is { } id && establishments.TryGetValue(id, out var e) ? (e.Code, e.TimeZone) : (null, EstablishmentEntity.DefaultTimeZone);
}

internal sealed record AlertDetectionView(string Source, string DetectionId, string? EventRef, string Time, IReadOnlyDictionary<string, string> Fields,
    int? RiskScore, IReadOnlyList<string> Facts);

internal sealed record AlertHistoryView(long Id, string Time, string Actor, string Action, string? From, string? To, string? Text);

/// <summary>One alert with everything known about it: why it is suspicious, its detections, its history, what may be done next.</summary>
internal sealed record AlertDetailView(
    long Id, string RuleId, string Title, string RuleLevel, string Severity, bool Sensitive, string Status, string Category,
    string? Establishment, string? Entity, int Count, string FirstSeen, string LastSeen, IReadOnlyList<TechniqueView> Techniques,
    IReadOnlyList<string> Tags, string? Assignee, int? RiskScore, IReadOnlyList<string> Explanation, string? Resolution, string? ResolutionReason,
    long? IncidentId, string CreatedAt, string? AcknowledgedAt, string? ClosedAt, IReadOnlyList<string> AllowedActions,
    IReadOnlyList<AlertDetectionView> Detections, IReadOnlyList<AlertHistoryView> History)
{
    public static AlertDetailView From(Alert a, IReadOnlyDictionary<Guid, EstablishmentEntity> establishments, IReadOnlyDictionary<Guid, string> users, AttackCatalog catalog)
    {
        var (code, zone) = AlertView.Place(a.EstablishmentId, establishments);
        string? F(DateTime? t) => t is { } x ? LocalTime.Format(x, zone) : null;
        return new(a.Id, a.RuleId, a.Title, a.RuleLevel, a.Severity.ToName(), a.Sensitive, a.Status.ToName(), a.Category.ToName(), code, a.Entity, a.Count,
            F(a.FirstSeen)!, F(a.LastSeen)!, TechniqueView.From(a.TechniqueIds, catalog), a.TagList,
            a.AssigneeId is { } u && users.TryGetValue(u, out var name) ? name : null, a.RiskScore,
            a.Explanation is null ? [] : JsonSerializer.Deserialize<List<string>>(a.Explanation) ?? [],
            a.Resolution?.ToName(), a.ResolutionReason, a.IncidentId, F(a.CreatedAt)!, F(a.AcknowledgedAt), F(a.ClosedAt),
            AlertStatuses.Allowed(a.Status),
            a.Detections.OrderBy(d => d.Time).Select(d => new AlertDetectionView(d.Source, d.DetectionId, d.EventRef, F(d.Time)!, AlertFields.Read(d.Fields), d.RiskScore,
                d.Facts is null ? [] : JsonSerializer.Deserialize<List<string>>(d.Facts) ?? [])).ToList(),
            a.History.OrderBy(h => h.Id).Select(h => new AlertHistoryView(h.Id, F(h.Time)!, h.Actor, h.Action, h.FromStatus?.ToName(), h.ToStatus?.ToName(), h.Text)).ToList());
    }
}
