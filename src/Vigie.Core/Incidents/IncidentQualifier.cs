using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Incidents;

/// <summary>
/// Qualifies incidents (the facts that decide the regulations), starts their clocks, and records the
/// notifications sent. Open to responders and, for incidents involving personal data, to DPOs.
/// </summary>
public sealed class IncidentQualifier(VigieDbContext db, IncidentDesk desk, IncidentOptions options, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public static Qualification? Read(Incident incident) =>
        incident.QualificationJson is null ? null : JsonSerializer.Deserialize<Qualification>(incident.QualificationJson, Json);

    public IReadOnlyList<RegulatoryClocks.Clock> Clocks(Incident incident) =>
        RegulatoryClocks.Compute(incident, Read(incident), incident.Notifications, options, Now);

    /// <summary>Records the facts; the first qualification starts the clocks, a later one updates the facts (the clocks keep their start).</summary>
    public async Task<Incident> QualifyAsync(long id, Qualification q, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        Validate(q);
        var incident = await desk.FindAsync(id, visibility, details: true, ct);
        if (incident.Status == IncidentStatus.Closed)
            throw VigieException.Conflict($"incident {id} is closed: reopen it to qualify it");
        var now = Now;
        var first = incident.QualifiedAt is null;
        incident.QualifiedAt ??= now;
        incident.QualifiedBy ??= actor.Name;
        incident.QualificationJson = JsonSerializer.Serialize(q, Json);
        incident.PersonalData |= q.PersonalData;
        incident.UpdatedAt = now;
        var facts = new List<string>();
        facts.Add(q.PersonalData ? "personal data involved" : "no personal data");
        if (q.EuResidents)
            facts.Add("EU residents");
        if (q.HighRisk)
            facts.Add("high risk to the people");
        if (q.Hipaa)
            facts.Add("HIPAA");
        if (q.PeopleAffected is { } people)
            facts.Add($"about {people} people");
        if (q.RecordsAffected is { } records)
            facts.Add($"about {records} records");
        var clocks = RegulatoryClocks.Compute(incident, q, incident.Notifications, options, now);
        incident.Timeline.Add(new IncidentTimelineEntry
        {
            Time = now,
            RecordedAt = now,
            Kind = "automatic",
            Actor = actor.Name,
            ActorId = actor.UserId,
            Text = $"{(first ? "Qualified" : "Qualification updated")} by {actor.Name}: {string.Join(", ", facts)}; clocks: {string.Join(", ", clocks.Select(c => c.Regulation))}",
        });
        await db.SaveChangesAsync(ct);
        return incident;
    }

    /// <summary>Records that a notification was sent (at <paramref name="submittedAt"/>, by default now): its clock stops.</summary>
    public async Task<IncidentNotification> RecordNotificationAsync(long id, string regulation, DateTime? submittedAt, string? reference, Actor actor,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await desk.FindAsync(id, visibility, details: true, ct);
        var clock = Clocks(incident).FirstOrDefault(c => c.Regulation == regulation);
        if (clock is null)
        {
            throw incident.QualifiedAt is null
                ? VigieException.Conflict($"incident {id} is not qualified: qualify it to start its clocks")
                : VigieException.NotFound($"incident {id} has no '{regulation}' clock; its clocks: {string.Join(", ", Clocks(incident).Select(c => c.Regulation))}");
        }
        if (clock.SubmittedAt is not null)
            throw VigieException.Conflict($"the {regulation} notification of incident {id} was already recorded");
        var at = submittedAt is { } s ? (s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : s.ToUniversalTime()) : Now;
        if (at > Now.AddMinutes(5))
            throw VigieException.Invalid("'submitted_at' is in the future");
        if (at < incident.QualifiedAt!.Value.AddDays(-1))
            throw VigieException.Invalid("'submitted_at' is before the incident was qualified");
        var notification = new IncidentNotification
        {
            Regulation = regulation,
            SubmittedAt = at,
            SubmittedBy = actor.Name,
            Reference = IncidentDesk.Clean(reference, "reference", 500),
        };
        incident.Notifications.Add(notification);
        incident.Timeline.Add(new IncidentTimelineEntry
        {
            Time = at,
            RecordedAt = Now,
            Kind = "automatic",
            Actor = actor.Name,
            ActorId = actor.UserId,
            Text = $"{clock.Title} sent to {clock.Recipient} ({regulation}){(at <= clock.Deadline ? "" : ", after the deadline")}{(notification.Reference is null ? "" : ", reference " + notification.Reference)}",
        });
        incident.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return notification;
    }

    private static void Validate(Qualification q)
    {
        if (q.PeopleAffected is < 0 or > 100_000_000)
            throw VigieException.Invalid("'people_affected' must be between 0 and 100000000");
        if (q.RecordsAffected is < 0 or > 1_000_000_000)
            throw VigieException.Invalid("'records_affected' must be between 0 and 1000000000");
        if ((q.EuResidents || q.HighRisk || q.Hipaa) && !q.PersonalData)
            throw VigieException.Invalid("'eu_residents', 'high_risk' and 'hipaa' describe personal data: set 'personal_data' to true");
        foreach (var (state, count) in q.PeopleByState)
        {
            if (state.Length != 2 || !state.All(char.IsAsciiLetterUpper))
                throw VigieException.Invalid($"people_by_state: '{state}' is not a two-letter US state code (e.g. CA)");
            if (count < 0)
                throw VigieException.Invalid($"people_by_state: {state} has a negative count");
        }
        foreach (var (name, list) in new[] { ("categories_of_people", q.CategoriesOfPeople), ("categories_of_data", q.CategoriesOfData) })
        {
            if (list.Count > 50 || list.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 200))
                throw VigieException.Invalid($"'{name}' holds at most 50 non-empty entries of at most 200 characters");
        }
        foreach (var (name, text) in new[] { ("nature", q.Nature), ("consequences", q.Consequences), ("measures", q.Measures), ("contact", q.Contact) })
        {
            if (text is { Length: > 8000 })
                throw VigieException.Invalid($"'{name}' exceeds 8000 characters");
        }
    }
}
