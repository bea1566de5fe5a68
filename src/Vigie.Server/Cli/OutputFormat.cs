using System.CommandLine;
using System.Text.Json;

namespace Vigie.Server.Cli;

/// <summary><c>--output table|json</c> for list verbs: tables for people, JSON for scripts.</summary>
internal static class OutputFormat
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Option<string> Create()
    {
        var option = new Option<string>("--output") { Description = "table (default) or json.", DefaultValueFactory = _ => "table", HelpName = "FORMAT" };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    public static bool IsJson(ParseResult parse, Option<string> option) => parse.GetValue(option) == "json";

    public static void WriteJson(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Writes <paramref name="json"/> as JSON when <c>--output json</c> was asked, else the table of <paramref name="rows"/>.</summary>
    public static void Write(ParseResult parse, Option<string> option, object json, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        if (IsJson(parse, option))
            WriteJson(json);
        else
            TextTable.Write(Console.Out, headers, rows);
    }
}
