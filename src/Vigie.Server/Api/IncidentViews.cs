using Vigie.Core.Alerts;
using Vigie.Core.Incidents;
using Vigie.Core.Time;
using EstablishmentEntity = Vigie.Core.Establishments.Establishment;

namespace Vigie.Server.Api;

/// <summary>An incident in a list; times in its establishment's time zone.</summary>
internal sealed record IncidentView(long Id, string Title, string Type, string Severity, string Status, string Tlp, string Pap, string? Establishment,
    string? Assignee, int AlertCount, bool PersonalData, string CreatedAt, string? QualifiedAt, long? MergedInto)
{
    public static IncidentView From(Incident i, int alerts, IReadOnlyDictionary<Guid, EstablishmentEntity> all, IReadOnlyDictionary<Guid, string> users)
    {
        var (code, zone) = AlertView.Place(i.EstablishmentId, all);
        return new(i.Id, i.Title, i.Type.ToName(), i.Severity.ToName(), i.Status.ToName(), SharingMarkings.Label("TLP", i.Tlp), SharingMarkings.Label("PAP", i.Pap),
            code, i.AssigneeId is { } u && users.TryGetValue(u, out var n) ? n : null, alerts, i.PersonalData, LocalTime.Format(i.CreatedAt, zone),
            i.QualifiedAt is { } q ? LocalTime.Format(q, zone) : null, i.MergedIntoId);
    }
}

internal sealed record ClockView(string Regulation, string Title, string Recipient, string Basis, string StartedAt, string Deadline, string Status,
    long? TimeLeftSeconds, string? TimeLeft, string? SubmittedAt, string? Reference);

internal sealed record IncidentTaskView(long Id, int Position, string Phase, string Title, string? Description, string Status, string? DoneBy, string? DoneAt, string? Note, string? Playbook);

internal sealed record ObservableView(long Id, string Kind, string Value, string Source, string FirstSeen, int Sightings);

internal sealed record TimelineView(long Id, string Time, string Kind, string Actor, string Text);

internal sealed record CommentView(long Id, string Time, string Actor, string Text);

internal sealed record EvidenceView(long Id, string Name, string? Description, string MediaType, long Size, string Sha256, string AddedBy, string AddedAt);

internal sealed record LinkedAlertView(long Id, string RuleId, string Title, string Severity, string Status, string Category, int Count, string FirstSeen);

/// <summary>An incident with everything: tasks, observables, timeline, comments, evidence, alerts, qualification and clocks.</summary>
internal sealed record IncidentDetailView(
    long Id, string Title, string? Description, string Type, string Severity, string Status, string Tlp, string Pap, string? Establishment,
    string? Assignee, string? Playbook, string CreatedBy, string CreatedAt, string? FirstActivityAt, string? DetectedAt, string? ContainedAt,
    string? ClosedAt, string? ClosingReason, long? MergedInto, bool PersonalData, string? QualifiedAt, string? QualifiedBy, Qualification? Qualification,
    IReadOnlyList<string> AllowedActions, IReadOnlyList<LinkedAlertView> Alerts, IReadOnlyList<IncidentTaskView> Tasks, IReadOnlyList<ObservableView> Observables,
    IReadOnlyList<TimelineView> Timeline, IReadOnlyList<CommentView> Comments, IReadOnlyList<EvidenceView> Evidence, IReadOnlyList<ClockView> Clocks)
{
    public static IncidentDetailView From(Incident i, IReadOnlyList<RegulatoryClocks.Clock> clocks, IReadOnlyList<EvidenceLocker.Summary> evidence,
        IReadOnlyDictionary<Guid, EstablishmentEntity> all, IReadOnlyDictionary<Guid, string> users)
    {
        var (code, zone) = AlertView.Place(i.EstablishmentId, all);
        string? F(DateTime? t) => t is { } x ? LocalTime.Format(x, zone) : null;
        return new(i.Id, i.Title, i.Description, i.Type.ToName(), i.Severity.ToName(), i.Status.ToName(), SharingMarkings.Label("TLP", i.Tlp), SharingMarkings.Label("PAP", i.Pap),
            code, i.AssigneeId is { } u && users.TryGetValue(u, out var n) ? n : null, i.Playbook, i.CreatedBy, F(i.CreatedAt)!, F(i.FirstActivityAt), F(i.DetectedAt),
            F(i.ContainedAt), F(i.ClosedAt), i.ClosingReason, i.MergedIntoId, i.PersonalData, F(i.QualifiedAt), i.QualifiedBy, IncidentQualifier.Read(i),
            IncidentStatuses.Allowed(i.Status),
            i.Alerts.OrderBy(a => a.Id).Select(a => new LinkedAlertView(a.Id, a.RuleId, a.Title, a.Severity.ToName(), a.Status.ToName(), a.Category.ToName(), a.Count, F(a.FirstSeen)!)).ToList(),
            i.Tasks.OrderBy(t => t.Position).Select(t => new IncidentTaskView(t.Id, t.Position, t.Phase, t.Title, t.Description, t.Status, t.DoneBy, F(t.DoneAt), t.Note, t.Playbook)).ToList(),
            i.Observables.OrderBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Value, StringComparer.Ordinal)
                .Select(o => new ObservableView(o.Id, o.Kind, o.Value, o.Source, F(o.FirstSeen)!, o.Sightings)).ToList(),
            i.Timeline.OrderBy(t => t.Time).ThenBy(t => t.Id).Select(t => new TimelineView(t.Id, F(t.Time)!, t.Kind, t.Actor, t.Text)).ToList(),
            i.Comments.OrderBy(c => c.Id).Select(c => new CommentView(c.Id, F(c.Time)!, c.Actor, c.Text)).ToList(),
            evidence.Select(e => new EvidenceView(e.Id, e.Name, e.Description, e.MediaType, e.Size, e.Sha256, e.AddedBy, F(e.AddedAt)!)).ToList(),
            clocks.Select(c => Clock(c, zone)).ToList());
    }

    public static ClockView Clock(RegulatoryClocks.Clock c, string zone) =>
        new(c.Regulation, c.Title, c.Recipient, c.Basis, LocalTime.Format(c.StartedAt, zone), LocalTime.Format(c.Deadline, zone), c.Status,
            c.TimeLeft is { } left ? (long)Math.Floor(left.TotalSeconds) : null, c.TimeLeft is { } l ? Describe(l) : null,
            c.SubmittedAt is { } s ? LocalTime.Format(s, zone) : null, c.Reference);

    /// <summary>"2 d 3 h 5 min left" or "overdue by 4 h 10 min".</summary>
    public static string Describe(TimeSpan left)
    {
        var t = left.Duration();
        var parts = new List<string>();
        if (t.Days > 0)
            parts.Add($"{t.Days} d");
        if (t.Hours > 0)
            parts.Add($"{t.Hours} h");
        if (t.Days == 0)
            parts.Add($"{t.Minutes} min");
        var text = string.Join(' ', parts);
        return left >= TimeSpan.Zero ? $"{text} left" : $"overdue by {text}";
    }
}
