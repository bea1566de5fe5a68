using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Core.Time;
using Vigie.Server.Api;
using Vigie.Server.WebConsole;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Pages;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme)]
internal sealed class IndexModel(CurrentUser current, VigieDbContext db, EstablishmentIndex index) : ConsolePage
{
    public sealed record EventRow(string Time, string Iso, string Action, string Actor, string? Target, string? Establishment, string Outcome);

    public IReadOnlyList<string> Roles { get; private set; } = [];
    public string? EstablishmentName { get; private set; }
    public int EstablishmentCount { get; private set; }
    public int UserCount { get; private set; }
    public int CollectorCount { get; private set; }
    public IReadOnlyList<EventRow>? Events { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var scope = await current.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        Roles = current.Roles;
        var own = current.EstablishmentId is { } id && all.TryGetValue(id, out var found) ? found : null;
        EstablishmentName = own?.Name;
        EstablishmentCount = all.Values.Count(e => scope.Contains(e.Id));
        UserCount = (await db.Users.AsNoTracking().Select(u => u.EstablishmentId).ToListAsync(ct)).Count(e => scope.Contains(e));
        CollectorCount = (await db.Collectors.AsNoTracking().Where(c => c.RevokedAt == null).Select(c => c.EstablishmentId).ToListAsync(ct)).Count(e => scope.Contains(e));

        if (current.Roles.Any(r => r is Vigie.Core.Identity.Roles.Admin or Vigie.Core.Identity.Roles.SocAnalyst or Vigie.Core.Identity.Roles.SecurityOfficer or Vigie.Core.Identity.Roles.Dpo))
        {
            var query = db.SecurityEvents.AsNoTracking();
            if (!scope.IsEverything)
            {
                var ids = scope.Ids!.Select(i => (Guid?)i).ToList();
                query = query.Where(e => ids.Contains(e.EstablishmentId));
            }
            Zone = own?.TimeZone ?? Vigie.Core.Establishments.Establishment.DefaultTimeZone;
            Events = (await query.OrderByDescending(e => e.Id).Take(20).ToListAsync(ct))
                .Select(e => new EventRow(When(e.Time), Iso(e.Time), e.Type.Action(), e.Actor, e.Target,
                    e.EstablishmentId is { } x && all.TryGetValue(x, out var est) ? est.Code : null, e.Type.IsFailure() ? "failure" : "success"))
                .ToList();
        }
    }
}
