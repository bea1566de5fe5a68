using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,soc-analyst,security-officer")]
internal sealed class CollectorsModel(CurrentUser current, ConsoleFocus focus, CollectorRegistry collectors, EstablishmentRegistry registry, EstablishmentIndex index) : ConsolePage
{
    public sealed record Row(Collector Collector, string? Establishment);

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public IReadOnlyList<Establishment> Establishments { get; private set; } = [];
    public bool CanManage => current.IsInRole(Roles.Admin);
    public string? IssuedKey { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string name, string establishment, CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        await TryAsync(async () =>
        {
            var issued = await collectors.AddAsync(name, establishment, current.Actor, await current.ScopeAsync(ct), ct);
            IssuedKey = issued.Key;
        });
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string name, CancellationToken ct)
    {
        if (!CanManage)
            return Forbid();
        await TryAsync(async () =>
        {
            var c = await collectors.RevokeAsync(name, current.Actor, await current.ScopeAsync(ct), ct);
            Notice = $"{T("Revoked")}{Colon}{c.Name}";
        });
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var all = await index.GetAsync(ct);
        Items = (await collectors.ListAsync(await focus.ScopeAsync(ct), ct))
            .Select(c => new Row(c, all.TryGetValue(c.EstablishmentId, out var e) ? e.Code : null)).ToList();
        Establishments = await registry.ListAsync(await current.ScopeAsync(ct), ct);
    }
}
