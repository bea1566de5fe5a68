using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages;

[AllowAnonymous]
internal sealed class LanguageModel : ConsolePage
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(string? language, string? returnUrl)
    {
        var chosen = language == ConsoleText.English ? ConsoleText.English : ConsoleText.French;
        Response.Cookies.Append(ConsoleText.CookieName, chosen, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
        });
        return LocalRedirect(ConsoleSession.SafeReturn(returnUrl));
    }
}
