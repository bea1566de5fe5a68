using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages;

[AllowAnonymous]
internal sealed class LoginModel(SignInService signIn) : ConsolePage
{
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await signIn.PasswordSignInAsync(Username, Password, null, HttpContext.Connection.RemoteIpAddress?.ToString(), ct);
        switch (outcome.Status)
        {
            case SignInStatus.Succeeded:
                await ConsoleSession.SignInAsync(HttpContext, outcome.User!);
                return LocalRedirect(ConsoleSession.SafeReturn(ReturnUrl));
            case SignInStatus.SecondFactorRequired:
                ConsoleSession.SetPending(HttpContext, outcome.User!);
                return RedirectToPage("/LoginCode", new { returnUrl = ConsoleSession.SafeReturn(ReturnUrl) });
            case SignInStatus.LockedOut:
                Error = "Account locked after repeated failures. Try again later.";
                break;
            case SignInStatus.Disabled:
                Error = "Account disabled or expired.";
                break;
            case SignInStatus.Failed:
                Error = "Invalid username or password.";
                break;
            default:
                throw new InvalidOperationException($"unexpected sign-in status {outcome.Status}");
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
