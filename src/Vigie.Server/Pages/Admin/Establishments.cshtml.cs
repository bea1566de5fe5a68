using Microsoft.AspNetCore.Authorization;
using Vigie.Core.Establishments;
using Vigie.Server.Api;
using Vigie.Server.WebConsole;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,soc-analyst,security-officer,dpo")]
internal sealed class EstablishmentsModel(CurrentUser current, EstablishmentRegistry registry, EstablishmentIndex index) : ConsolePage
{
    public IReadOnlyList<EstablishmentView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        Items = (await registry.ListAsync(await current.ScopeAsync(ct), ct)).Select(e => EstablishmentView.From(e, all)).ToList();
    }
}
