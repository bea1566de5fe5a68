using System.CommandLine;
using System.Text.Json;
using Vigie.Core.Establishments;
using Vigie.Core.Events;
using Vigie.Server.Ingestion;

namespace Vigie.Server.Cli;

/// <summary><c>vigie events search QUERY</c>: the event search language on the command line.</summary>
internal static class EventCommands
{
    public static Command Create()
    {
        var command = new Command("events", "Stored events: search them.");
        command.Subcommands.Add(Search());
        return command;
    }

    private static Command Search()
    {
        var query = new Argument<string?>("query") { Description = "field:value, wildcards, \"phrases\", AND/OR/NOT, (), [a TO b], >=, _exists_:field, free text; empty for everything.", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string?>("--from") { Description = "Events at or after this time (2026-03-01, 2026-03-01T08:00:00Z, now-7d).", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Events before this time.", HelpName = "TIME" };
        var limit = new Option<int>("--limit") { Description = "How many events, newest first (default 100, at most 10000).", DefaultValueFactory = _ => 100, HelpName = "N" };
        var output = new Option<string>("--output") { Description = "table (default) or jsonl (one event per line).", DefaultValueFactory = _ => "table", HelpName = "FORMAT" };
        output.AcceptOnlyFromAmong("table", "jsonl");
        var command = new Command("search", "Search stored events, newest first.") { query, from, to, limit, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var n = parse.GetValue(limit);
            if (n is < 1 or > 10_000)
                throw new CliException("--limit must be between 1 and 10000", ExitCodes.Usage);
            Core.Events.Query.QueryNode? tree;
            DateTime? start, end;
            try
            {
                tree = EventSearchEndpoints.ParseQuery(parse.GetValue(query));
                start = EventSearchEndpoints.ParseTime("--from", parse.GetValue(from));
                end = EventSearchEndpoints.ParseTime("--to", parse.GetValue(to));
            }
            catch (Core.VigieException e)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
            var events = sp.GetRequiredService<IEventStore>();
            var found = new List<StoredEvent>();
            EventCursor? cursor = null;
            long total = 0;
            bool exact = true;
            while (found.Count < n)
            {
                var page = await events.SearchAsync(new EventSearch(tree, start, end, AccessScope.Everything, Math.Min(1000, n - found.Count), cursor), ct);
                if (cursor is null)
                {
                    total = page.Total;
                    exact = page.TotalExact;
                }
                found.AddRange(page.Events);
                cursor = page.Next;
                if (cursor is null)
                    break;
            }
            if (parse.GetValue(output) == "jsonl")
            {
                foreach (var e in found)
                    Console.WriteLine(e.Json);
            }
            else
            {
                TextTable.Write(Console.Out, ["time", "dataset", "host", "user", "summary"], found.Select(e => (IReadOnlyList<string?>)Row(e)));
            }
            Console.Error.WriteLine($"{found.Count} of {(exact ? "" : "more than ")}{total} matching events");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string?[] Row(StoredEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        var root = doc.RootElement;
        string? Get(string name) => root.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;
        var summary = Get("message") ?? Get(EventFields.Action) ?? Get(EventFields.ErrorMessage) ?? "";
        summary = summary.ReplaceLineEndings(" ");
        if (summary.Length > 100)
            summary = summary[..97] + "...";
        return [e.Timestamp.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), Get(EventFields.Dataset), Get(EventFields.HostName), Get(EventFields.UserName), summary];
    }
}
