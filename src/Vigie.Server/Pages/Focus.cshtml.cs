using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Server.Hosting;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages;

[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme)]
internal sealed class FocusModel : ConsolePage
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(string? establishment, string? returnUrl)
    {
        // Stored as chosen; ConsoleFocus ignores a code outside the user's scope on every request.
        if (string.IsNullOrEmpty(establishment))
            Response.Cookies.Delete(ConsoleFocus.CookieName);
        else
            Response.Cookies.Append(ConsoleFocus.CookieName, establishment, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = Request.IsHttps });
        return LocalRedirect(ConsoleSession.SafeReturn(returnUrl));
    }
}
