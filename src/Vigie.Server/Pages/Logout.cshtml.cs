using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;
using Vigie.Server.WebConsole;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Pages;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme)]
internal sealed class LogoutModel(SecurityEventWriter events, VigieDbContext db, CurrentUser current) : ConsolePage
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        events.Add(SecurityEventType.SignedOut, current.Actor, current.Username);
        await db.SaveChangesAsync(ct);
        await HttpContext.SignOutAsync(VigieApp.ConsoleScheme);
        return Redirect("/login");
    }
}
