using System.CommandLine;
using System.Globalization;
using Vigie.Core;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;

namespace Vigie.Server.Cli;

/// <summary><c>vigie alerts list|show|ack|close|reopen|assign|import</c>: the alert queue from a terminal, with the rights of the national centre.</summary>
internal static class AlertCommands
{
    public static Command Create()
    {
        var command = new Command("alerts", "List, acknowledge, close and assign alerts; import detections as alerts.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Acknowledge());
        command.Subcommands.Add(Close());
        command.Subcommands.Add(Reopen());
        command.Subcommands.Add(Assign());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Argument<long> IdArgument() => new("id") { Description = "The alert's id." };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "new, acknowledged or closed (comma-separated for several).", HelpName = "STATUS" };
        var severity = new Option<string?>("--severity") { Description = "informational, low, medium, high or critical (comma-separated).", HelpName = "SEVERITY" };
        var establishment = new Option<string?>("--establishment") { Description = "An establishment code: its alerts and those of its subtree.", HelpName = "CODE" };
        var category = new Option<string?>("--category") { Description = "security or privacy.", HelpName = "CATEGORY" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100).", HelpName = "N" };
        var output = OutputFormat.Create();
        var command = new Command("list", "List alerts, newest first.") { status, severity, establishment, category, limit, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var page = await sp.GetRequiredService<AlertQueue>().ListAsync(new AlertQueue.Query(parse.GetValue(status), parse.GetValue(severity),
                parse.GetValue(establishment), parse.GetValue(category), Limit: parse.GetValue(limit)), AlertVisibility.Everything, ct);
            var (all, users, catalog) = await ContextAsync(sp, page.Items.Select(a => a.AssigneeId), ct);
            var views = page.Items.Select(a => AlertView.From(a, all, users, catalog)).ToList();
            OutputFormat.Write(parse, output, new { items = views, next_cursor = page.NextCursor },
                ["id", "severity", "status", "establishment", "count", "last seen", "entity", "title"],
                views.Select(v => (IReadOnlyList<string?>)[v.Id.ToString(CultureInfo.InvariantCulture), v.Severity, v.Status, v.Establishment,
                    v.Count.ToString(CultureInfo.InvariantCulture), v.LastSeen, v.Entity, v.Title]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var id = IdArgument();
        var command = new Command("show", "Show one alert as JSON: explanation, detections, history.") { id };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var alert = await sp.GetRequiredService<AlertTriage>().FindAsync(parse.GetValue(id), AlertVisibility.Everything, details: true, ct);
            await WriteDetailAsync(sp, alert, ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Acknowledge()
    {
        var id = IdArgument();
        var comment = new Option<string?>("--comment") { Description = "Why, or what happens next.", HelpName = "TEXT" };
        var command = new Command("ack", "Acknowledge a new alert.") { id, comment };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var alert = await sp.GetRequiredService<AlertTriage>().AcknowledgeAsync(parse.GetValue(id), parse.GetValue(comment), Actor.CommandLine(), AlertVisibility.Everything, ct);
            Console.WriteLine($"Alert {alert.Id} acknowledged.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Close()
    {
        var id = IdArgument();
        var resolution = new Option<string>("--resolution") { Required = true, Description = "true_positive, false_positive, benign or duplicate.", HelpName = "RESOLUTION" };
        var reason = new Option<string>("--reason") { Required = true, Description = "Why: what was found.", HelpName = "TEXT" };
        var command = new Command("close", "Close an alert with a resolution and a reason.") { id, resolution, reason };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var alert = await sp.GetRequiredService<AlertTriage>().CloseAsync(parse.GetValue(id), parse.GetValue(resolution), parse.GetValue(reason),
                Actor.CommandLine(), AlertVisibility.Everything, ct);
            Console.WriteLine($"Alert {alert.Id} closed as {alert.Resolution!.Value.ToName()}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Reopen()
    {
        var id = IdArgument();
        var reason = new Option<string>("--reason") { Required = true, Description = "Why the alert needs work again.", HelpName = "TEXT" };
        var command = new Command("reopen", "Reopen a closed alert.") { id, reason };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var alert = await sp.GetRequiredService<AlertTriage>().ReopenAsync(parse.GetValue(id), parse.GetValue(reason), Actor.CommandLine(), AlertVisibility.Everything, ct);
            Console.WriteLine($"Alert {alert.Id} reopened.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Assign()
    {
        var id = IdArgument();
        var to = new Option<string?>("--to") { Description = "The user to assign to; omitted, the alert is unassigned.", HelpName = "USER" };
        var command = new Command("assign", "Assign an alert to a user who may work on it.") { id, to };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var (alert, user) = await sp.GetRequiredService<AlertTriage>().AssignAsync(parse.GetValue(id), parse.GetValue(to), Actor.CommandLine(), AlertVisibility.Everything, ct);
            Console.WriteLine(user is null ? $"Alert {alert.Id} unassigned." : $"Alert {alert.Id} assigned to {user.Username}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "JSON lines of detections ('-' for standard input): rule_id, title, level, tags, timestamp, establishment, event." };
        var establishment = new Option<string?>("--establishment") { Description = "Establishment of lines that name none.", HelpName = "CODE" };
        var command = new Command("import", "Group detections from a JSON-lines file into alerts (a file imported twice adds nothing).") { file, establishment };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (path != "-" && !File.Exists(path))
                throw new CliException($"file '{path}' does not exist", ExitCodes.Usage);
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            var codes = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
            async Task<Guid?> ResolveAsync(string? code, int line)
            {
                if (code is null)
                    return null;
                if (codes.TryGetValue(code, out var known))
                    return known;
                var e = await registry.FindAsync(code, ct) ?? throw new CliException($"{path}: line {line}: establishment '{code}' does not exist");
                codes[code] = e.Id;
                return e.Id;
            }
            var fallback = await ResolveAsync(parse.GetValue(establishment), 0);
            var detections = new List<IncomingDetection>();
            using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);
            var number = 0;
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                number++;
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                DetectionJson.Line line;
                try
                {
                    line = DetectionJson.Parse(text, number);
                }
                catch (VigieException e)
                {
                    throw new CliException($"{path}: {e.Message}");
                }
                var place = await ResolveAsync(line.Establishment, number) ?? fallback;
                detections.Add(line.Detection with { EstablishmentId = place });
            }
            var builder = sp.GetRequiredService<AlertBuilder>();
            int created = 0, grouped = 0, suppressed = 0, excepted = 0, duplicates = 0;
            foreach (var chunk in detections.Chunk(1000))
            {
                var outcome = await builder.AddAsync(chunk, ct);
                created += outcome.Created;
                grouped += outcome.Grouped;
                suppressed += outcome.Suppressed;
                excepted += outcome.Excepted;
                duplicates += outcome.Duplicates;
            }
            Console.WriteLine($"{detections.Count} detections: {created} new alerts, {grouped} grouped into open alerts, {suppressed} suppressed, {excepted} excepted, {duplicates} already imported.");
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<(IReadOnlyDictionary<Guid, Vigie.Core.Establishments.Establishment>, IReadOnlyDictionary<Guid, string>, AttackCatalog)> ContextAsync(
        IServiceProvider sp, IEnumerable<Guid?> assignees, CancellationToken ct)
    {
        var all = (await sp.GetRequiredService<EstablishmentRegistry>().ListAsync(AccessScope.Everything, ct)).ToDictionary(e => e.Id);
        var users = await AlertEndpoints.UsernamesAsync(sp.GetRequiredService<VigieDbContext>(), assignees, ct);
        return (all, users, sp.GetRequiredService<AttackCatalog>());
    }

    private static async Task WriteDetailAsync(IServiceProvider sp, Alert alert, CancellationToken ct)
    {
        var (all, users, catalog) = await ContextAsync(sp, [alert.AssigneeId], ct);
        OutputFormat.WriteJson(AlertDetailView.From(alert, all, users, catalog));
    }
}
