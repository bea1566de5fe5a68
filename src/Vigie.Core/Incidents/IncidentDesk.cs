using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Privacy;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Incidents;

/// <summary>
/// Opens incidents from alerts and runs them: status, assignment, sharing markings, tasks, observables,
/// timeline, comments, merging and splitting. Every change leaves an automatic timeline entry naming who made it.
/// </summary>
public sealed class IncidentDesk(VigieDbContext db, PlaybookLibrary playbooks, PatientPseudonyms pseudonyms, TimeProvider time)
{
    public const int MaxTitleLength = 300;

    public sealed record NewIncident(string? Title, IReadOnlyList<long>? AlertIds = null, string? Severity = null, string? Type = null,
        string? Tlp = null, string? Pap = null, string? Establishment = null, string? Description = null, string? Playbook = null);

    public sealed record Changes(string? Title = null, string? Description = null, string? Severity = null, string? Type = null, string? Tlp = null, string? Pap = null);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<Incident> CreateAsync(NewIncident request, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        if (!visibility.Responder)
            throw VigieException.Forbidden("opening incidents is for the SOC and security officers");
        var title = CleanTitle(request.Title);
        var alerts = await LoadAlertsAsync(request.AlertIds ?? [], visibility, ct);
        var all = await db.Establishments.AsNoTracking().ToListAsync(ct);
        var establishment = ResolveEstablishment(request.Establishment, alerts, actor, all);
        if (!visibility.Scope.Contains(establishment.Id))
            throw VigieException.Forbidden($"establishment '{establishment.Code}' is outside your scope");
        EnsureWithin(establishment.Id, alerts, all);

        var severity = request.Severity is null
            ? alerts.Count == 0 ? AlertSeverity.Medium : alerts.Max(a => a.Severity)
            : ParseSeverity(request.Severity);
        var type = request.Type is null ? InferType(alerts) : ParseType(request.Type);
        var tlp = request.Tlp is null ? "amber" : SharingMarkings.ParseTlp(request.Tlp)
            ?? throw VigieException.Invalid($"tlp '{request.Tlp}' is unknown; use one of: {string.Join(", ", SharingMarkings.Tlp)}");
        var pap = request.Pap is null ? "amber" : SharingMarkings.ParsePap(request.Pap)
            ?? throw VigieException.Invalid($"pap '{request.Pap}' is unknown; use one of: {string.Join(", ", SharingMarkings.Pap)}");
        Playbook? playbook = null;
        if (request.Playbook is { } name && name != "none")
            playbook = await playbooks.FindAsync(name, ct) ?? throw VigieException.Invalid($"playbook '{name}' does not exist");
        else if (request.Playbook is null)
            playbook = await playbooks.ForTypeAsync(type, ct);

        var now = Now;
        var incident = new Incident
        {
            Title = title,
            Description = Clean(request.Description, "description", 20_000),
            Type = type,
            Severity = severity,
            Tlp = tlp,
            Pap = pap,
            EstablishmentId = establishment.Id,
            Playbook = playbook?.Id,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
            PersonalData = type.InvolvesPersonalData() || alerts.Any(a => a.Category == AlertCategory.Privacy),
        };
        Log(incident, actor, $"Incident opened by {actor.Name}: {title} ({type.ToName()}, severity {severity.ToName()}, TLP:{tlp.ToUpperInvariant()})");
        if (playbook is not null)
        {
            AddPlaybookTasks(incident, playbook);
            Log(incident, actor, $"{playbook.Tasks.Count} tasks added from playbook '{playbook.Id}'");
        }
        db.Incidents.Add(incident);
        await LinkAlertsAsync(incident, alerts, actor, ct);
        await db.SaveChangesAsync(ct);
        return incident;
    }

    /// <summary>The incident if the person may see it; with details, its tasks, observables, timeline, comments, notifications and alerts.</summary>
    public async Task<Incident> FindAsync(long id, IncidentVisibility visibility, bool details = false, CancellationToken ct = default)
    {
        IQueryable<Incident> query = db.Incidents;
        if (details)
        {
            query = query.Include(i => i.Tasks).Include(i => i.Observables).Include(i => i.Timeline).Include(i => i.Comments)
                .Include(i => i.Notifications).Include(i => i.Alerts).AsSplitQuery();
        }
        var incident = await query.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null || !visibility.CanSee(incident))
            throw VigieException.NotFound($"incident {id} does not exist");
        return incident;
    }

    public async Task<Incident> UpdateAsync(long id, Changes changes, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "changing an incident");
        var said = new List<string>();
        if (changes.Title is not null && CleanTitle(changes.Title) is var title && title != incident.Title)
        {
            incident.Title = title;
            said.Add($"title '{title}'");
        }
        if (changes.Description is not null)
        {
            incident.Description = Clean(changes.Description, "description", 20_000);
            said.Add("description");
        }
        if (changes.Severity is not null && ParseSeverity(changes.Severity) is var severity && severity != incident.Severity)
        {
            said.Add($"severity {incident.Severity.ToName()} → {severity.ToName()}");
            incident.Severity = severity;
        }
        if (changes.Type is not null && ParseType(changes.Type) is var type && type != incident.Type)
        {
            said.Add($"type {incident.Type.ToName()} → {type.ToName()}");
            incident.Type = type;
            incident.PersonalData |= type.InvolvesPersonalData();
        }
        if (changes.Tlp is not null)
        {
            var tlp = SharingMarkings.ParseTlp(changes.Tlp) ?? throw VigieException.Invalid($"tlp '{changes.Tlp}' is unknown; use one of: {string.Join(", ", SharingMarkings.Tlp)}");
            if (tlp != incident.Tlp)
            {
                said.Add($"TLP:{incident.Tlp.ToUpperInvariant()} → TLP:{tlp.ToUpperInvariant()}");
                incident.Tlp = tlp;
            }
        }
        if (changes.Pap is not null)
        {
            var pap = SharingMarkings.ParsePap(changes.Pap) ?? throw VigieException.Invalid($"pap '{changes.Pap}' is unknown; use one of: {string.Join(", ", SharingMarkings.Pap)}");
            if (pap != incident.Pap)
            {
                said.Add($"PAP:{incident.Pap.ToUpperInvariant()} → PAP:{pap.ToUpperInvariant()}");
                incident.Pap = pap;
            }
        }
        if (said.Count > 0)
        {
            incident.UpdatedAt = Now;
            Log(incident, actor, $"{actor.Name} changed {string.Join(", ", said)}");
            await db.SaveChangesAsync(ct);
        }
        return incident;
    }

    public async Task<Incident> TransitionAsync(long id, IncidentAction action, string? reason, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, $"{action.ToName()} an incident");
        var why = Clean(reason, "reason", 4000);
        if (action is IncidentAction.Close or IncidentAction.Reopen && why is null)
            throw VigieException.Invalid("'reason' is required");
        var target = IncidentStatuses.Target(incident.Status, action);
        if (target is not { } to)
        {
            var allowed = IncidentStatuses.Allowed(incident.Status);
            throw VigieException.Conflict($"incident {id} is {incident.Status.ToName()}: it cannot be {action.Past()}; allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}");
        }
        var now = Now;
        incident.Status = to;
        incident.UpdatedAt = now;
        switch (action)
        {
            case IncidentAction.Contain:
                incident.ContainedAt ??= now;
                break;
            case IncidentAction.Close:
                incident.ClosedAt = now;
                incident.ClosingReason = why;
                break;
            case IncidentAction.Reopen:
                incident.ClosedAt = null;
                incident.ClosingReason = null;
                break;
        }
        Log(incident, actor, $"Incident {action.Past()} by {actor.Name}{(why is null ? "" : ": " + why)}");
        await db.SaveChangesAsync(ct);
        return incident;
    }

    public async Task<(Incident Incident, User? Assignee)> AssignAsync(long id, string? username, Actor actor, IncidentVisibility visibility,
        CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "assigning an incident");
        User? assignee = null;
        if (!string.IsNullOrWhiteSpace(username))
        {
            var name = Username.Normalise(username);
            assignee = await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.Username == name, ct);
            if (assignee is null || !visibility.Scope.Contains(assignee.EstablishmentId))
                throw VigieException.Invalid($"user '{name}' does not exist");
            if (assignee.Disabled)
                throw VigieException.Invalid($"user '{name}' is disabled");
            var theirs = IncidentVisibility.Of(assignee, await db.Establishments.AsNoTracking().ToListAsync(ct));
            if (!theirs.Responder || !theirs.CanSee(incident))
                throw VigieException.Invalid($"user '{name}' cannot work on incident {id}: their roles or establishment do not cover it");
        }
        if (incident.AssigneeId != assignee?.Id)
        {
            incident.AssigneeId = assignee?.Id;
            incident.UpdatedAt = Now;
            Log(incident, actor, assignee is null ? $"Unassigned by {actor.Name}" : $"Assigned to {assignee.Username} by {actor.Name}");
            await db.SaveChangesAsync(ct);
        }
        return (incident, assignee);
    }

    public async Task<Incident> AddAlertsAsync(long id, IReadOnlyList<long>? alertIds, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        if (alertIds is null || alertIds.Count == 0)
            throw VigieException.Invalid("'alert_ids' lists the alerts to add");
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "adding alerts");
        var alerts = await LoadAlertsAsync(alertIds, visibility, ct);
        EnsureWithin(incident.EstablishmentId, alerts, await db.Establishments.AsNoTracking().ToListAsync(ct));
        await LinkAlertsAsync(incident, alerts, actor, ct);
        incident.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return incident;
    }

    public async Task<IncidentTask> AddTaskAsync(long id, string? phase, string? title, string? description, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "adding tasks");
        var p = (phase ?? "").Trim().ToLowerInvariant();
        if (!IncidentTask.Phases.Contains(p))
            throw VigieException.Invalid($"phase '{phase}' is unknown; use one of: {string.Join(", ", IncidentTask.Phases)}");
        var t = Clean(title, "title", MaxTitleLength) ?? throw VigieException.Invalid("'title' is required");
        var position = await db.IncidentTasks.Where(x => x.IncidentId == id).Select(x => (int?)x.Position).MaxAsync(ct) ?? 0;
        var task = new IncidentTask { Position = position + 1, Phase = p, Title = t, Description = Clean(description, "description", 4000) };
        incident.Tasks.Add(task);
        incident.UpdatedAt = Now;
        Log(incident, actor, $"Task added by {actor.Name}: {t}");
        await db.SaveChangesAsync(ct);
        return task;
    }

    public async Task<IncidentTask> SetTaskAsync(long id, long taskId, string? status, string? note, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "working on tasks");
        var s = (status ?? "").Trim().ToLowerInvariant();
        if (!IncidentTask.Statuses.Contains(s))
            throw VigieException.Invalid($"task status '{status}' is unknown; use one of: {string.Join(", ", IncidentTask.Statuses)}");
        var task = await db.IncidentTasks.SingleOrDefaultAsync(t => t.Id == taskId && t.IncidentId == id, ct)
            ?? throw VigieException.NotFound($"task {taskId} of incident {id} does not exist");
        if (task.Status == s)
            return task;
        task.Status = s;
        task.Note = Clean(note, "note", 4000) ?? task.Note;
        task.DoneAt = s == "todo" ? null : Now;
        task.DoneBy = s == "todo" ? null : actor.Name;
        incident.UpdatedAt = Now;
        Log(incident, actor, $"Task '{task.Title}' marked {s} by {actor.Name}{(note is null ? "" : ": " + note.Trim())}");
        await db.SaveChangesAsync(ct);
        return task;
    }

    /// <summary>Adds an observable by hand; a patient is given by identifier and kept only as its pseudonym.</summary>
    public async Task<IncidentObservable> AddObservableAsync(long id, string? kind, string? value, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "adding observables");
        var k = (kind ?? "").Trim().ToLowerInvariant();
        var raw = k == "patient" && value is not null && !PatientPseudonyms.IsPseudonym(value.Trim()) ? pseudonyms.Of(value) : value;
        var normalised = ObservableExtractor.Normalise(k, raw, out var error) ?? throw VigieException.Invalid($"observable: {error}");
        var existing = await db.IncidentObservables.SingleOrDefaultAsync(o => o.IncidentId == id && o.Kind == k && o.Value == normalised, ct);
        if (existing is not null)
            throw VigieException.Conflict($"incident {id} already has {k} observable {normalised}");
        var observable = new IncidentObservable { Kind = k, Value = normalised, Source = actor.Name, FirstSeen = Now };
        incident.Observables.Add(observable);
        incident.UpdatedAt = Now;
        Log(incident, actor, $"Observable added by {actor.Name}: {k} {normalised}");
        await db.SaveChangesAsync(ct);
        return observable;
    }

    public async Task<IncidentTimelineEntry> AddTimelineAsync(long id, DateTime? when, string? text, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(incident, "writing the timeline");
        var t = Clean(text, "text", 4000) ?? throw VigieException.Invalid("'text' is required");
        var at = when is { } w ? (w.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(w, DateTimeKind.Utc) : w.ToUniversalTime()) : Now;
        if (at > Now.AddMinutes(5))
            throw VigieException.Invalid("'time' is in the future: the timeline records what happened");
        var entry = new IncidentTimelineEntry { Time = at, RecordedAt = Now, Kind = "manual", Actor = actor.Name, ActorId = actor.UserId, Text = t };
        incident.Timeline.Add(entry);
        incident.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return entry;
    }

    public async Task<IncidentComment> CommentAsync(long id, string? text, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await FindAsync(id, visibility, ct: ct);
        var t = Clean(text, "text", 4000) ?? throw VigieException.Invalid("'text' is required");
        var comment = new IncidentComment { Time = Now, Actor = actor.Name, ActorId = actor.UserId, Text = t };
        incident.Comments.Add(comment);
        incident.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return comment;
    }

    /// <summary>
    /// Brings other incidents into this one: their alerts, tasks, observables, timeline, comments, evidence and
    /// notifications move here; they are closed, each pointing to this one.
    /// </summary>
    public async Task<Incident> MergeAsync(long id, IReadOnlyList<long>? otherIds, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        if (otherIds is null || otherIds.Count == 0)
            throw VigieException.Invalid("'incident_ids' lists the incidents to merge into this one");
        if (otherIds.Contains(id))
            throw VigieException.Invalid($"incident {id} cannot be merged into itself");
        var target = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(target, "merging incidents");
        if (target.Status == IncidentStatus.Closed)
            throw VigieException.Conflict($"incident {id} is closed: reopen it before merging into it");
        var now = Now;
        var observables = await db.IncidentObservables.Where(o => o.IncidentId == id).ToListAsync(ct);
        var position = await db.IncidentTasks.Where(x => x.IncidentId == id).Select(x => (int?)x.Position).MaxAsync(ct) ?? 0;
        var establishments = await db.Establishments.AsNoTracking().ToListAsync(ct);
        var subtree = AccessScope.Subtree(target.EstablishmentId, establishments);
        foreach (var otherId in otherIds.Distinct())
        {
            var other = await FindAsync(otherId, visibility, ct: ct);
            if (other.Status == IncidentStatus.Closed)
                throw VigieException.Conflict($"incident {otherId} is closed{(other.MergedIntoId is { } m ? $" (merged into {m})" : "")}: only open incidents are merged");
            // Everything of the merged incident becomes readable by the target's establishment: it must lie within it.
            if (!subtree.Contains(other.EstablishmentId))
                throw VigieException.Invalid($"incident {otherId} belongs to {Code(other.EstablishmentId, establishments)}, outside {Code(target.EstablishmentId, establishments)}, whose people read incident {id}: "
                    + "merge both into an incident of an establishment above them");
            foreach (var alert in await db.Alerts.Where(a => a.IncidentId == otherId).ToListAsync(ct))
                alert.IncidentId = id;
            foreach (var task in await db.IncidentTasks.Where(t => t.IncidentId == otherId).OrderBy(t => t.Position).ToListAsync(ct))
            {
                task.IncidentId = id;
                task.Position = ++position;
            }
            foreach (var o in await db.IncidentObservables.Where(o => o.IncidentId == otherId).ToListAsync(ct))
            {
                var same = observables.FirstOrDefault(x => x.Kind == o.Kind && x.Value == o.Value);
                if (same is null)
                {
                    o.IncidentId = id;
                    observables.Add(o);
                }
                else
                {
                    same.Sightings += o.Sightings;
                    if (o.FirstSeen < same.FirstSeen)
                        same.FirstSeen = o.FirstSeen;
                    db.IncidentObservables.Remove(o);
                }
            }
            foreach (var e in await db.IncidentTimeline.Where(t => t.IncidentId == otherId).ToListAsync(ct))
                e.IncidentId = id;
            foreach (var c in await db.IncidentComments.Where(t => t.IncidentId == otherId).ToListAsync(ct))
                c.IncidentId = id;
            foreach (var n in await db.IncidentNotifications.Where(t => t.IncidentId == otherId).ToListAsync(ct))
                n.IncidentId = id;
            await db.IncidentEvidence.Where(e => e.IncidentId == otherId).ExecuteUpdateAsync(s => s.SetProperty(e => e.IncidentId, id), ct);
            if (other.Severity > target.Severity)
                target.Severity = other.Severity;
            target.PersonalData |= other.PersonalData;
            target.FirstActivityAt = Min(target.FirstActivityAt, other.FirstActivityAt);
            target.DetectedAt = Min(target.DetectedAt, other.DetectedAt);
            // The earliest qualification keeps its clocks running: legal deadlines do not restart on a merge.
            if (other.QualifiedAt is { } q && (target.QualifiedAt is null || q < target.QualifiedAt))
            {
                target.QualifiedAt = q;
                target.QualifiedBy = other.QualifiedBy;
                target.QualificationJson ??= other.QualificationJson;
            }
            other.Status = IncidentStatus.Closed;
            other.ClosedAt = now;
            other.ClosingReason = $"merged into incident {id}";
            other.MergedIntoId = id;
            other.UpdatedAt = now;
            db.IncidentTimeline.Add(new IncidentTimelineEntry { IncidentId = otherId, Time = now, RecordedAt = now, Kind = "automatic", Actor = actor.Name, ActorId = actor.UserId, Text = $"Merged into incident {id} by {actor.Name}" });
            Log(target, actor, $"Incident {otherId} ({other.Title}) merged into this one by {actor.Name}");
        }
        target.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return target;
    }

    /// <summary>Moves some of an incident's alerts (and the observables only they gave) into a new incident.</summary>
    public async Task<Incident> SplitAsync(long id, IReadOnlyList<long>? alertIds, string? title, Actor actor, IncidentVisibility visibility, CancellationToken ct = default)
    {
        if (alertIds is null || alertIds.Count == 0)
            throw VigieException.Invalid("'alert_ids' lists the alerts to move to the new incident");
        var source = await FindAsync(id, visibility, ct: ct);
        visibility.EnsureResponder(source, "splitting incidents");
        var newTitle = CleanTitle(title);
        var ids = alertIds.Distinct().ToList();
        var alerts = await db.Alerts.Where(a => ids.Contains(a.Id) && a.IncidentId == id).ToListAsync(ct);
        var missing = ids.Except(alerts.Select(a => a.Id)).ToList();
        if (missing.Count > 0)
            throw VigieException.Invalid($"alert {missing[0]} is not part of incident {id}");
        var remaining = await db.Alerts.CountAsync(a => a.IncidentId == id, ct);
        if (remaining == alerts.Count)
            throw VigieException.Invalid($"splitting every alert out would leave incident {id} empty; open a new incident or merge instead");
        var now = Now;
        var split = new Incident
        {
            Title = newTitle,
            Type = source.Type,
            Severity = alerts.Max(a => a.Severity),
            Tlp = source.Tlp,
            Pap = source.Pap,
            EstablishmentId = source.EstablishmentId,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
            PersonalData = source.Type.InvolvesPersonalData() || alerts.Any(a => a.Category == AlertCategory.Privacy),
        };
        Log(split, actor, $"Split from incident {id} by {actor.Name}: {newTitle}");
        db.Incidents.Add(split);
        foreach (var alert in alerts)
        {
            alert.IncidentId = null;
            split.Alerts.Add(alert);
            alert.History.Add(new AlertHistoryEntry { Time = now, Actor = actor.Name, ActorId = actor.UserId, Action = "linked", Text = $"moved from incident {id} to a split incident" });
        }
        split.FirstActivityAt = alerts.Min(a => a.FirstSeen);
        split.DetectedAt = alerts.Min(a => a.CreatedAt);
        // Observables seen only in the moved alerts go with them.
        var moved = await ObservablesOfAsync(alerts.Select(a => a.Id), ct);
        var staying = await ObservablesOfAsync(await db.Alerts.Where(a => a.IncidentId == id && !ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct), ct);
        foreach (var observable in await db.IncidentObservables.Where(o => o.IncidentId == id).ToListAsync(ct))
        {
            var key = (observable.Kind, observable.Value);
            if (moved.Contains(key) && !staying.Contains(key) && observable.Source.StartsWith("alert ", StringComparison.Ordinal))
            {
                observable.IncidentId = 0;
                split.Observables.Add(observable);
            }
            else if (moved.Contains(key))
            {
                split.Observables.Add(new IncidentObservable { Kind = observable.Kind, Value = observable.Value, Source = observable.Source, FirstSeen = observable.FirstSeen });
            }
        }
        Log(source, actor, $"Alerts {string.Join(", ", ids)} split into a new incident by {actor.Name}: {newTitle}");
        source.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        Log(source, actor, $"The split incident is incident {split.Id}");
        await db.SaveChangesAsync(ct);
        return split;
    }

    private async Task<HashSet<(string, string)>> ObservablesOfAsync(IEnumerable<long> alertIds, CancellationToken ct)
    {
        var ids = alertIds.ToList();
        var fields = await db.AlertDetections.AsNoTracking().Where(d => ids.Contains(d.AlertId)).Select(d => d.Fields).ToListAsync(ct);
        var set = new HashSet<(string, string)>();
        foreach (var f in fields)
        {
            foreach (var o in ObservableExtractor.From(AlertFields.Read(f)))
                set.Add(o);
        }
        return set;
    }

    private async Task<List<Alert>> LoadAlertsAsync(IReadOnlyList<long> ids, IncidentVisibility visibility, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        if (distinct.Count > 1000)
            throw VigieException.Invalid("at most 1000 alerts at once");
        var alerts = await db.Alerts.Where(a => distinct.Contains(a.Id)).ToListAsync(ct);
        var view = visibility.Alerts;
        foreach (var id in distinct)
        {
            var alert = alerts.FirstOrDefault(a => a.Id == id);
            if (alert is null || !view.CanSee(alert))
                throw VigieException.Invalid($"alert {id} does not exist");
            if (alert.IncidentId is { } other)
                throw VigieException.Conflict($"alert {id} is already part of incident {other}");
        }
        return distinct.Select(id => alerts.First(a => a.Id == id)).ToList();
    }

    private async Task LinkAlertsAsync(Incident incident, List<Alert> alerts, Actor actor, CancellationToken ct)
    {
        if (alerts.Count == 0)
            return;
        var now = Now;
        var existing = incident.Id == 0 ? [] : await db.IncidentObservables.Where(o => o.IncidentId == incident.Id).ToListAsync(ct);
        var known = existing.ToDictionary(o => (o.Kind, o.Value));
        foreach (var o in incident.Observables)
            known.TryAdd((o.Kind, o.Value), o);
        var ids = alerts.Select(a => a.Id).ToList();
        var detections = await db.AlertDetections.AsNoTracking().Where(d => ids.Contains(d.AlertId)).OrderBy(d => d.Time).ToListAsync(ct);
        foreach (var alert in alerts)
        {
            incident.Alerts.Add(alert);
            alert.UpdatedAt = now;
            alert.History.Add(new AlertHistoryEntry { Time = now, Actor = actor.Name, ActorId = actor.UserId, ActorAddress = actor.Address, Action = "linked", Text = incident.Id == 0 ? "to a new incident" : $"to incident {incident.Id}" });
            if (alert.Status == AlertStatus.New)
            {
                // Bringing an alert into an incident is acknowledging it.
                alert.Status = AlertStatus.Acknowledged;
                alert.AcknowledgedAt ??= now;
                alert.History.Add(new AlertHistoryEntry { Time = now, Actor = actor.Name, ActorId = actor.UserId, Action = "acknowledged", FromStatus = AlertStatus.New, ToStatus = AlertStatus.Acknowledged, Text = "linked to an incident" });
            }
            incident.FirstActivityAt = Min(incident.FirstActivityAt, alert.FirstSeen);
            incident.DetectedAt = Min(incident.DetectedAt, alert.CreatedAt);
            if (alert.Category == AlertCategory.Privacy)
                incident.PersonalData = true;
            incident.Timeline.Add(new IncidentTimelineEntry
            {
                Time = alert.FirstSeen,
                RecordedAt = now,
                Kind = "automatic",
                Actor = actor.Name,
                ActorId = actor.UserId,
                Text = $"Alert {alert.Id} first seen: {alert.Title} ({alert.Count} detection{(alert.Count == 1 ? "" : "s")}{(alert.Entity is null ? "" : ", " + alert.Entity)}); linked by {actor.Name}",
            });
            foreach (var d in detections.Where(d => d.AlertId == alert.Id))
            {
                foreach (var (kind, value) in ObservableExtractor.From(AlertFields.Read(d.Fields)))
                {
                    if (known.TryGetValue((kind, value), out var o))
                    {
                        o.Sightings++;
                        if (d.Time < o.FirstSeen)
                            o.FirstSeen = d.Time;
                        continue;
                    }
                    o = new IncidentObservable { Kind = kind, Value = value, Source = $"alert {alert.Id}", FirstSeen = d.Time };
                    known[(kind, value)] = o;
                    incident.Observables.Add(o);
                }
            }
        }
    }

    /// <summary>
    /// Everyone of an incident's establishment reads its alerts, their fields and the observables drawn from them:
    /// an alert of an establishment outside that subtree would reach people who may not see it.
    /// </summary>
    private static void EnsureWithin(Guid incidentEstablishment, List<Alert> alerts, List<Establishment> all)
    {
        var subtree = AccessScope.Subtree(incidentEstablishment, all);
        foreach (var alert in alerts)
        {
            if (!subtree.Contains(alert.EstablishmentId))
                throw VigieException.Invalid($"alert {alert.Id} belongs to {Code(alert.EstablishmentId, all)}, outside {Code(incidentEstablishment, all)}, whose people read the incident: "
                    + "open the incident at an establishment above both (or leave 'establishment' out)");
        }
    }

    private static string Code(Guid? establishment, List<Establishment> all) =>
        all.FirstOrDefault(e => e.Id == establishment)?.Code ?? "no establishment";

    private static void AddPlaybookTasks(Incident incident, Playbook playbook)
    {
        var position = incident.Tasks.Count == 0 ? 0 : incident.Tasks.Max(t => t.Position);
        foreach (var t in playbook.Tasks)
            incident.Tasks.Add(new IncidentTask { Position = ++position, Phase = t.Phase, Title = t.Title, Description = t.Description, Playbook = playbook.Id });
    }

    private void Log(Incident incident, Actor actor, string text)
    {
        var now = Now;
        incident.Timeline.Add(new IncidentTimelineEntry { Time = now, RecordedAt = now, Kind = "automatic", Actor = actor.Name, ActorId = actor.UserId, Text = text });
    }

    /// <summary>
    /// The establishment named, else the one all the alerts share, else their nearest common parent; without
    /// alerts, the caller's own establishment (the national centre for the command line).
    /// </summary>
    private static Establishment ResolveEstablishment(string? code, List<Alert> alerts, Actor actor, List<Establishment> all)
    {
        if (!string.IsNullOrWhiteSpace(code))
        {
            var normalised = EstablishmentCode.Normalise(code);
            return all.FirstOrDefault(e => e.Code == normalised) ?? throw VigieException.Invalid($"establishment '{normalised}' does not exist");
        }
        var national = all.FirstOrDefault(e => e.Type == EstablishmentType.National);
        var byId = all.ToDictionary(e => e.Id);
        if (alerts.Count > 0)
        {
            List<Guid> Chain(Guid? id)
            {
                var chain = new List<Guid>();
                for (var e = id is { } x && byId.TryGetValue(x, out var found) ? found : national; e is not null; e = e.ParentId is { } p && byId.TryGetValue(p, out var parent) ? parent : null)
                    chain.Insert(0, e.Id);
                return chain;
            }
            var common = Chain(alerts[0].EstablishmentId);
            foreach (var alert in alerts.Skip(1))
            {
                var chain = Chain(alert.EstablishmentId);
                var n = 0;
                while (n < common.Count && n < chain.Count && common[n] == chain[n])
                    n++;
                common = common.Take(n).ToList();
            }
            if (common.Count > 0)
                return byId[common[^1]];
        }
        if (actor.EstablishmentId is { } own && byId.TryGetValue(own, out var mine))
            return mine;
        return national ?? throw VigieException.Invalid("name the incident's establishment ('establishment'): no national centre exists to default to");
    }

    private static IncidentType InferType(List<Alert> alerts)
    {
        if (alerts.Count == 0)
            return IncidentType.Other;
        if (alerts.All(a => a.Category == AlertCategory.Privacy))
            return IncidentType.InsiderSnooping;
        var techniques = alerts.SelectMany(a => a.TechniqueIds).ToHashSet();
        if (techniques.Contains("T1486"))
            return IncidentType.Ransomware;
        if (techniques.Any(t => t.StartsWith("T1566", StringComparison.Ordinal)))
            return IncidentType.Phishing;
        if (techniques.Any(t => t.StartsWith("T1498", StringComparison.Ordinal) || t.StartsWith("T1499", StringComparison.Ordinal)))
            return IncidentType.DenialOfService;
        return IncidentType.Other;
    }

    private static string CleanTitle(string? title) =>
        Clean(title, "title", MaxTitleLength) ?? throw VigieException.Invalid("'title' is required");

    internal static string? Clean(string? text, string name, int max)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
            return null;
        if (t.Length > max)
            throw VigieException.Invalid($"'{name}' exceeds {max.ToString(CultureInfo.InvariantCulture)} characters");
        return t;
    }

    internal static AlertSeverity ParseSeverity(string text) =>
        AlertSeverities.TryParse(text, out var s) ? s : throw VigieException.Invalid($"severity '{text}' is unknown; use one of: {string.Join(", ", AlertSeverities.All)}");

    internal static IncidentType ParseType(string text) =>
        IncidentTypes.TryParse(text, out var t) ? t : throw VigieException.Invalid($"type '{text}' is unknown; use one of: {string.Join(", ", IncidentTypes.All)}");

    private static DateTime? Min(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
