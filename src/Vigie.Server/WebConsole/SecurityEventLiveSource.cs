using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;

namespace Vigie.Server.WebConsole;

/// <summary>New security events (sign-ins, administration) for the overview of those who may read them.</summary>
internal sealed class SecurityEventLiveSource : ILiveSource
{
    /// <summary>
    /// A security event's target as the console shows it: a patient (<c>patient:ID</c>, from break-the-glass grants)
    /// only as their pseudonym, as everywhere else in the console.
    /// </summary>
    public static string? ShownTarget(string? target, Vigie.Core.Privacy.PatientPseudonyms pseudonyms) =>
        target is not null && target.StartsWith("patient:", StringComparison.Ordinal) && target.Length > 8
            ? "patient:" + (Vigie.Core.Privacy.PatientPseudonyms.IsPseudonym(target[8..]) ? target[8..] : pseudonyms.Of(target[8..]))
            : target;

    private static readonly string[] Readers = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];
    private long _cursor = -1;

    public async Task<IReadOnlyList<LiveMessage>> PollAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<VigieDbContext>();
        if (_cursor < 0)
        {
            _cursor = await db.SecurityEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0;
            return [];
        }
        var cursor = _cursor;
        var events = await db.SecurityEvents.AsNoTracking().Where(e => e.Id > cursor).OrderBy(e => e.Id).Take(500).ToListAsync(ct);
        if (events.Count == 0)
            return [];
        _cursor = events[^1].Id;
        return events.Select(e => new LiveMessage("security-event", e.EstablishmentId, Readers, new
        {
            id = e.Id,
            time_utc = DateTime.SpecifyKind(e.Time, DateTimeKind.Utc),
            action = e.Type.Action(),
            actor = e.Actor,
            target = ShownTarget(e.Target, services.GetRequiredService<Vigie.Core.Privacy.PatientPseudonyms>()),
            establishment_id = e.EstablishmentId,
            outcome = e.Type.IsFailure() ? "failure" : "success",
        })).ToList();
    }
}
