using Microsoft.AspNetCore.Authorization;
using Vigie.Core.Identity;
using Vigie.Server.Api;
using Vigie.Server.WebConsole;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Pages.Admin;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = "admin,security-officer")]
internal sealed class UsersModel(CurrentUser current, UserAdministration users, EstablishmentIndex index) : ConsolePage
{
    public IReadOnlyList<UserView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        Items = (await users.ListAsync(await current.ScopeAsync(ct), ct)).Select(u => UserView.From(u, all)).ToList();
    }
}
