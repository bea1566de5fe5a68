using Microsoft.AspNetCore.Authorization;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.WebConsole;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,soc-analyst,security-officer")]
internal sealed class CollectorsModel(CurrentUser current, CollectorRegistry collectors, EstablishmentIndex index) : ConsolePage
{
    public IReadOnlyList<CollectorView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        Items = (await collectors.ListAsync(await current.ScopeAsync(ct), ct)).Select(c => CollectorView.From(c, all)).ToList();
    }
}
