using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Privacy;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Events;

/// <summary>One stored event with every field, the rules it matched and the alerts it is part of. An event of an
/// establishment outside the user's scope answers 404, as one that does not exist.</summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class EventPageModel(CurrentUser current, ConsoleFocus focus, IEventStore events, EstablishmentIndex index, PatientPseudonyms pseudonyms,
    VigieDbContext db) : ConsolePage
{
    public StoredEvent? Event { get; private set; }
    public string? Establishment { get; private set; }
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; private set; } = [];
    public IReadOnlyList<Vigie.Core.Detection.Detection> Detections { get; private set; } = [];
    public IReadOnlyList<Alert> Alerts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await current.ScopeAsync(ct);
        var e = await events.FindAsync(id, ct);
        if (e is null || !scope.Contains(e.EstablishmentId))
        {
            Problem = $"event {id} does not exist";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Event = e;
        Establishment = ConsoleLookups.Code(e.EstablishmentId, await index.GetAsync(ct));
        Fields = EventSearchModel.Fields(e.Json, pseudonyms);
        if (current.Roles.Any(r => r is Vigie.Core.Identity.Roles.Admin or Vigie.Core.Identity.Roles.SocAnalyst or Vigie.Core.Identity.Roles.SecurityOfficer))
            Detections = await db.Detections.AsNoTracking().Where(d => d.EventId == id).OrderBy(d => d.Id).ToListAsync(ct);
        var reference = $"event:{id}";
        var alertIds = await db.AlertDetections.AsNoTracking().Where(d => d.EventRef == reference).Select(d => d.AlertId).Distinct().ToListAsync(ct);
        Alerts = await AlertVisibility.For(scope, current.Roles).Apply(db.Alerts.AsNoTracking()).Where(a => alertIds.Contains(a.Id)).OrderBy(a => a.Id).ToListAsync(ct);
        return Page();
    }
}
