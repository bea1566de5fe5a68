using System.Text;

namespace Vigie.Server.WebConsole;

/// <summary>Links into the event search: a field's exact value as a query term, for pivoting from any page.</summary>
internal static class EventSearchLinks
{
    /// <summary><c>field:"value"</c>, the value quoted (no wildcard) with quotes and backslashes escaped.</summary>
    public static string Term(string field, string value)
    {
        var sb = new StringBuilder(field.Length + value.Length + 4);
        sb.Append(field).Append(":\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The events search for one field's value over the last week.</summary>
    public static string For(string field, string value, string from = "now-7d") =>
        $"/events?q={Uri.EscapeDataString(Term(field, value))}&from={Uri.EscapeDataString(from)}";
}
