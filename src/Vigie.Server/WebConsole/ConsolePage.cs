using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Vigie.Server.WebConsole;

/// <summary>Base of console pages: the language of the reader and a translation helper.</summary>
internal abstract class ConsolePage : PageModel
{
    public string Language => ConsoleText.LanguageOf(HttpContext);

    public string T(string english) => ConsoleText.Get(Language, english);
}
