using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages;

[AllowAnonymous]
internal sealed class LoginCodeModel(SignInService signIn) : ConsolePage
{
    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public IActionResult OnGet() => ConsoleSession.GetPending(HttpContext) is null ? RedirectToPage("/Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (ConsoleSession.GetPending(HttpContext) is not { } pending)
            return RedirectToPage("/Login");
        var outcome = await signIn.SecondFactorSignInAsync(pending.UserId, pending.Stamp, Code, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        if (outcome.Succeeded)
        {
            await ConsoleSession.SignInAsync(HttpContext, outcome.User!);
            return LocalRedirect(ConsoleSession.SafeReturn(ReturnUrl));
        }
        Error = outcome.Status == SignInStatus.LockedOut ? "Account locked after repeated failures. Try again later." : "Invalid code.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
