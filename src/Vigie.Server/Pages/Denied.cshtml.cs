using Microsoft.AspNetCore.Authorization;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages;

[AllowAnonymous]
internal sealed class DeniedModel : ConsolePage
{
    public void OnGet()
    {
    }
}
