using Microsoft.AspNetCore.Mvc.RazorPages;
using Vigie.Core;
using Vigie.Core.Time;

namespace Vigie.Server.WebConsole;

/// <summary>Base of console pages: the reader's language and time zone, and how refusals are shown.</summary>
internal abstract class ConsolePage : PageModel
{
    public string Language => ConsoleText.LanguageOf(HttpContext);

    /// <summary>The IANA zone times are shown in (the user's establishment's).</summary>
    public string Zone { get; protected set; } = Vigie.Core.Establishments.Establishment.DefaultTimeZone;

    /// <summary>A refusal to show above the page's form, in the reader's language where known.</summary>
    public string? Problem { get; protected set; }

    /// <summary>A confirmation to show above the page.</summary>
    public string? Notice { get; protected set; }

    public string T(string english) => ConsoleText.Get(Language, english);

    /// <summary>An API name (<c>false_positive</c>, <c>patient-data-breach</c>) as words, translated.</summary>
    public string Words(string apiName) => T(apiName.Replace('_', ' ').Replace('-', ' '));

    /// <summary>The separator before a value: French puts a space before the colon.</summary>
    public string Colon => Language == ConsoleText.French ? " : " : ": ";

    /// <summary>A word whose French depends on what it qualifies (an alert is "fermée", an incident "clos").</summary>
    public string T(string context, string english) => ConsoleText.Get(Language, context, english);

    /// <summary>An instant for scripts: ISO 8601 in UTC with its Z (the store gives back times without a kind).</summary>
    public static string UtcIso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A number as people read it: digits grouped by a narrow space.</summary>
    public static string Number(long value) => SvgChart.Number(value);

    /// <summary>Shows a refusal found while loading (an unknown filter, a bad query) without failing the page.</summary>
    protected async Task<T?> TryLoadAsync<T>(Func<Task<T>> load)
    {
        T? result = default;
        await TryAsync(async () => result = await load());
        return result;
    }

    public string When(DateTime? utc) => utc is { } t ? LocalTime.Display(t, Zone, Language) : "";

    public string Iso(DateTime? utc) => utc is { } t ? LocalTime.Format(t, Zone) : "";

    /// <summary>Runs a command; a refusal becomes <see cref="Problem"/> and a 4xx status instead of an error page.</summary>
    protected async Task<bool> TryAsync(Func<Task> command)
    {
        try
        {
            await command();
            return true;
        }
        catch (VigieException e)
        {
            Problem = e.Message;
            Response.StatusCode = Hosting.ProblemHandler.StatusOf(e.Kind);
            return false;
        }
    }
}
