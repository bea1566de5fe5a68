using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Alerts;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Privacy;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Privacy;

/// <summary>
/// The break-the-glass register: every grant the records gateway made (from the audit ledger), who broke the glass,
/// for which patient (pseudonym), with which justification, how many reads followed under it, and whether privacy
/// monitoring flagged it. Grants whose user or patient belongs to the user's scope (narrowed by the switcher).
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Triage)]
internal sealed class BreakGlassModel(CurrentUser current, ConsoleFocus focus, EstablishmentIndex index, PatientPseudonyms pseudonyms, VigieDbContext db) : ConsolePage
{
    public const int MaxRows = 500;

    public sealed record Grant(LedgerEntry Entry, string? Patient, int Reads, bool Flagged);

    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "user")] public string? Person { get; set; }

    public IReadOnlyList<Grant> Grants { get; private set; } = [];
    public int Users { get; private set; }
    public int Flagged { get; private set; }
    public DateTime Start { get; private set; }
    public DateTime End { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        var codes = all.Values.Where(e => scope.Contains(e.Id)).Select(e => e.Code).ToList();
        await TryAsync(async () =>
        {
            End = Ingestion.EventSearchEndpoints.ParseTime("to", To) ?? DateTime.UtcNow;
            Start = Ingestion.EventSearchEndpoints.ParseTime("from", From) ?? End.AddDays(-30);
            var startUs = (Start - DateTime.UnixEpoch).Ticks / 10;
            var endUs = (End - DateTime.UnixEpoch).Ticks / 10;
            var query = db.AuditLedger.AsNoTracking().Where(e => e.Action == "break-glass" && e.TimeUs >= startUs && e.TimeUs < endUs);
            if (!string.IsNullOrWhiteSpace(Person))
                query = query.Where(e => e.UserName == Person.Trim());
            // The scope is applied by the store, before the limit: the newest grants of other establishments never
            // crowd out the reader's own.
            if (!scope.IsEverything)
                query = query.Where(e => (e.UserEstablishment != null && codes.Contains(e.UserEstablishment))
                    || (e.PatientEstablishment != null && codes.Contains(e.PatientEstablishment)));
            var entries = await query.OrderByDescending(e => e.Seq).Take(MaxRows).ToListAsync(ct);

            // Reads made under each grant, and whether monitoring raised a privacy alert about the user since.
            var users = entries.Select(e => e.UserName).OfType<string>().Distinct().ToList();
            var reads = await db.PrivacyAccesses.AsNoTracking().Where(a => a.BreakGlass && users.Contains(a.UserName) && a.Action != "break-glass" && a.Time >= Start)
                .Select(a => new { a.UserName, a.PatientPseudonym, a.Time }).ToListAsync(ct);
            var entities = users.Select(u => "user:" + u.ToLowerInvariant()).ToList();
            var flagged = await AlertVisibility.For(scope, current.Roles).Apply(db.Alerts.AsNoTracking())
                .Where(a => a.Category == AlertCategory.Privacy && a.Entity != null && entities.Contains(a.Entity) && a.Tags.Contains("t1548") && a.LastSeen >= Start)
                .Select(a => a.Entity!).Distinct().ToListAsync(ct);
            Grants = entries.Select(e =>
            {
                var patient = e.PatientRef is { Length: > 0 } r ? pseudonyms.Of(r) : null;
                var count = reads.Count(a => a.UserName == e.UserName && a.PatientPseudonym == patient && a.Time >= e.Time);
                return new Grant(e, patient, count, e.UserName is not null && flagged.Contains("user:" + e.UserName.ToLowerInvariant()));
            }).ToList();
            Users = Grants.Select(g => g.Entry.UserName).Distinct().Count();
            Flagged = Grants.Count(g => g.Flagged);
        });
    }
}
