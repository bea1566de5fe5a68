using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,soc-analyst,security-officer,dpo")]
internal sealed class EstablishmentsModel(CurrentUser current, ConsoleFocus focus, EstablishmentRegistry registry, EstablishmentIndex index) : ConsolePage
{
    public sealed record Row(Establishment Establishment, string? Parent);

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public bool CanAdd => current.IsInRole(Roles.Admin);

    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Type { get; set; } = "hospital";
    [BindProperty] public string? Parent { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!CanAdd)
            return Forbid();
        var added = await TryAsync(async () =>
        {
            var scope = await current.ScopeAsync(ct);
            var parent = string.IsNullOrEmpty(Parent) ? null : await registry.FindAsync(Parent, ct);
            if (!scope.IsEverything && (parent is null || !scope.Contains(parent.Id)))
                throw VigieException.Forbidden("you may add establishments only under an establishment of your scope");
            var e = await registry.AddAsync(new EstablishmentRegistry.NewEstablishment(Code ?? "", Name ?? "", Type ?? "", Parent), current.Actor, ct);
            Notice = $"{T("Added")}{Colon}{e.Code}";
        });
        if (added)
            Code = Name = null;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var all = await index.GetAsync(ct);
        Items = (await registry.ListAsync(await focus.ScopeAsync(ct), ct))
            .Select(e => new Row(e, e.ParentId is { } p && all.TryGetValue(p, out var parent) ? parent.Code : null)).ToList();
    }
}
