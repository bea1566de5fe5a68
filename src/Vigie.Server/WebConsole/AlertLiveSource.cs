using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Identity;

namespace Vigie.Server.WebConsole;

/// <summary>
/// New alerts for the alert queue and the overview: security alerts to administrators, the SOC and security
/// officers, privacy alerts to those and to DPOs, each only within the reader's scope (filtered by /live).
/// </summary>
internal sealed class AlertLiveSource : ILiveSource
{
    public const string Kind = "alert";

    private static readonly string[] SecurityReaders = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer];
    private static readonly string[] PrivacyReaders = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];
    private long _cursor = -1;

    public async Task<IReadOnlyList<LiveMessage>> PollAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<VigieDbContext>();
        if (_cursor < 0)
        {
            _cursor = await db.Alerts.MaxAsync(a => (long?)a.Id, ct) ?? 0;
            return [];
        }
        var cursor = _cursor;
        var alerts = await db.Alerts.AsNoTracking().Where(a => a.Id > cursor).OrderBy(a => a.Id).Take(200).ToListAsync(ct);
        if (alerts.Count == 0)
            return [];
        _cursor = alerts[^1].Id;
        return alerts.Select(a => new LiveMessage(Kind, a.EstablishmentId, a.Category == AlertCategory.Privacy ? PrivacyReaders : SecurityReaders, new
        {
            id = a.Id,
            title = a.Title,
            severity = a.Severity.ToName(),
            status = a.Status.ToName(),
            category = a.Category.ToName(),
            entity = a.Entity,
            count = a.Count,
            last_seen_utc = DateTime.SpecifyKind(a.LastSeen, DateTimeKind.Utc),
            rule_id = a.RuleId,
        })).ToList();
    }
}
