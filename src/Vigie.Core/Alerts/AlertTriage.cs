using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Alerts;

/// <summary>
/// What analysts do to alerts: acknowledge, close with a resolution and a reason, reopen, assign, comment.
/// Every change is timestamped and written to the alert's history with who made it.
/// </summary>
public sealed class AlertTriage(VigieDbContext db, TimeProvider time)
{
    public const int MaxTextLength = 4000;

    private List<Establishment>? establishments;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The alert if the caller may see it; an alert outside their view does not exist for them.</summary>
    public async Task<Alert> FindAsync(long id, AlertVisibility visibility, bool details = false, CancellationToken ct = default)
    {
        IQueryable<Alert> query = db.Alerts;
        if (details)
            query = query.Include(a => a.Detections.OrderBy(d => d.Time)).Include(a => a.History.OrderBy(h => h.Id));
        var alert = await query.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (alert is null || !visibility.CanSee(alert))
            throw VigieException.NotFound($"alert {id} does not exist");
        return alert;
    }

    public async Task<Alert> AcknowledgeAsync(long id, string? comment, Actor actor, AlertVisibility visibility, CancellationToken ct = default)
    {
        var alert = await FindAsync(id, visibility, ct: ct);
        Transition(alert, AlertAction.Acknowledge, actor, CleanText(comment, "comment", required: false));
        await db.SaveChangesAsync(ct);
        return alert;
    }

    public async Task<Alert> CloseAsync(long id, string? resolution, string? reason, Actor actor, AlertVisibility visibility, CancellationToken ct = default)
    {
        if (!AlertResolutions.TryParse(resolution, out var parsed))
            throw VigieException.Invalid($"resolution '{resolution}' is unknown; use one of: {string.Join(", ", AlertResolutions.All)}");
        var why = CleanText(reason, "reason", required: true)!;
        var alert = await FindAsync(id, visibility, ct: ct);
        Transition(alert, AlertAction.Close, actor, $"{parsed.ToName()}: {why}");
        alert.Resolution = parsed;
        alert.ResolutionReason = why;
        await db.SaveChangesAsync(ct);
        return alert;
    }

    public async Task<Alert> ReopenAsync(long id, string? reason, Actor actor, AlertVisibility visibility, CancellationToken ct = default)
    {
        var why = CleanText(reason, "reason", required: true);
        var alert = await FindAsync(id, visibility, ct: ct);
        Transition(alert, AlertAction.Reopen, actor, why);
        alert.Resolution = null;
        alert.ResolutionReason = null;
        alert.ClosedAt = null;
        await db.SaveChangesAsync(ct);
        return alert;
    }

    /// <summary>Assigns the alert to a user who may work on it (a role that sees it, the establishment in their scope); null unassigns.</summary>
    public async Task<(Alert Alert, User? Assignee)> AssignAsync(long id, string? username, Actor actor, AlertVisibility visibility,
        CancellationToken ct = default)
    {
        var alert = await FindAsync(id, visibility, ct: ct);
        User? assignee = null;
        if (!string.IsNullOrWhiteSpace(username))
        {
            var name = Username.Normalise(username);
            assignee = await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.Username == name, ct);
            if (assignee is null || !visibility.Scope.Contains(assignee.EstablishmentId))
                throw VigieException.Invalid($"user '{name}' does not exist");
            if (assignee.Disabled)
                throw VigieException.Invalid($"user '{name}' is disabled");
            if (!AlertVisibility.Of(assignee, await EstablishmentsAsync(ct)).CanSee(alert))
                throw VigieException.Invalid($"user '{name}' cannot work on alert {id}: their roles or establishment do not cover it");
        }
        if (alert.AssigneeId == assignee?.Id)
            return (alert, assignee);
        alert.AssigneeId = assignee?.Id;
        alert.UpdatedAt = Now;
        alert.History.Add(Entry(alert, actor, assignee is null ? "unassigned" : "assigned", assignee?.Username));
        await db.SaveChangesAsync(ct);
        return (alert, assignee);
    }

    public async Task<AlertHistoryEntry> CommentAsync(long id, string? text, Actor actor, AlertVisibility visibility, CancellationToken ct = default)
    {
        var comment = CleanText(text, "text", required: true);
        var alert = await FindAsync(id, visibility, ct: ct);
        var entry = Entry(alert, actor, "commented", comment);
        alert.History.Add(entry);
        alert.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>The establishments, read once per unit of work: a bulk assignment checks each alert against the same tree.</summary>
    private async Task<List<Establishment>> EstablishmentsAsync(CancellationToken ct) =>
        establishments ??= await db.Establishments.AsNoTracking().ToListAsync(ct);

    private void Transition(Alert alert, AlertAction action, Actor actor, string? text)
    {
        var target = AlertStatuses.Target(alert.Status, action);
        if (target is not { } to)
        {
            var allowed = AlertStatuses.Allowed(alert.Status);
            throw VigieException.Conflict($"alert {alert.Id} is {alert.Status.ToName()}: it cannot be {Past(action)}; allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}");
        }
        var now = Now;
        var from = alert.Status;
        alert.Status = to;
        alert.UpdatedAt = now;
        switch (action)
        {
            case AlertAction.Acknowledge:
                alert.AcknowledgedAt ??= now;
                break;
            case AlertAction.Close:
                // Closing an alert nobody acknowledged acknowledges it at the same time, for time-to-acknowledge.
                alert.AcknowledgedAt ??= now;
                alert.ClosedAt = now;
                break;
            case AlertAction.Reopen:
                break;
        }
        var entry = Entry(alert, actor, Past(action), text);
        entry.FromStatus = from;
        entry.ToStatus = to;
        alert.History.Add(entry);
    }

    private AlertHistoryEntry Entry(Alert alert, Actor actor, string action, string? text) => new()
    {
        AlertId = alert.Id,
        Time = Now,
        Actor = actor.Name,
        ActorId = actor.UserId,
        ActorAddress = actor.Address,
        Action = action,
        Text = text,
    };

    private static string Past(AlertAction action) => action switch
    {
        AlertAction.Acknowledge => "acknowledged",
        AlertAction.Close => "closed",
        AlertAction.Reopen => "reopened",
    };

    internal static string? CleanText(string? text, string name, bool required)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            if (required)
                throw VigieException.Invalid($"'{name}' is required");
            return null;
        }
        if (t.Length > MaxTextLength)
            throw VigieException.Invalid($"'{name}' exceeds {MaxTextLength} characters");
        return t;
    }
}
