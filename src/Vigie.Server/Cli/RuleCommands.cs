using System.CommandLine;
using Vigie.Core.Detection;

namespace Vigie.Server.Cli;

/// <summary><c>vigie rules import|list|enable|disable</c>: the Sigma rules detection runs on the stream.</summary>
internal static class RuleCommands
{
    public static Command Create()
    {
        var command = new Command("rules", "Sigma rules in the store: import them, list them, enable or disable one.");
        command.Subcommands.Add(Import());
        command.Subcommands.Add(List());
        command.Subcommands.Add(SetEnabled(true));
        command.Subcommands.Add(SetEnabled(false));
        return command;
    }

    private static Command Import()
    {
        var paths = new Argument<string[]>("paths") { Description = "Rule files or folders (searched recursively for .yml and .yaml).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("import", "Import Sigma rules, correlations and filters; a rule already in the store is updated and keeps its enabled flag.") { paths };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var list = parse.GetValue(paths)!;
            foreach (var path in list)
            {
                if (!File.Exists(path) && !Directory.Exists(path))
                    throw new CliException($"{path}: no such file or folder");
            }
            var result = await sp.GetRequiredService<RuleLibrary>().ImportAsync(list, ct);
            foreach (var error in result.Rejected)
                Console.Error.WriteLine($"vigie: rejected {error}");
            Console.WriteLine($"{result.Added} rules added, {result.Updated} updated, {result.Unchanged} unchanged, {result.Rejected.Count} rejected");
            return result.Added + result.Updated + result.Unchanged == 0 && result.Rejected.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var output = OutputFormat.Create();
        var enabled = new Option<bool>("--enabled") { Description = "Only enabled rules." };
        var disabled = new Option<bool>("--disabled") { Description = "Only disabled rules." };
        var search = new Option<string?>("--search") { Description = "Only rules whose title, id, logsource or tags contain this text.", HelpName = "TEXT" };
        var command = new Command("list", "List the rules in the store.") { output, enabled, disabled, search };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            bool? filter = parse.GetValue(enabled) ? true : parse.GetValue(disabled) ? false : null;
            var rules = await sp.GetRequiredService<RuleLibrary>().ListAsync(filter, parse.GetValue(search), ct);
            if (OutputFormat.IsJson(parse, output))
            {
                OutputFormat.WriteJson(rules.Select(r => new { r.Id, r.Title, r.Kind, r.Level, r.Status, r.Logsource, Tags = r.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.Enabled, r.SourcePath }));
                return ExitCodes.Ok;
            }
            TextTable.Write(Console.Out, ["id", "title", "kind", "level", "logsource", "enabled"],
                rules.Select(r => (IReadOnlyList<string?>)[r.Id, r.Title.Length > 70 ? r.Title[..67] + "..." : r.Title, r.Kind, r.Level, r.Logsource, r.Enabled ? "yes" : "no"]));
            Console.Error.WriteLine($"{rules.Count} rules, {rules.Count(r => r.Enabled)} enabled");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SetEnabled(bool enable)
    {
        var id = new Argument<string>("id") { Description = "The rule's id (vigie rules list shows them)." };
        var command = new Command(enable ? "enable" : "disable", enable ? "Run a rule on the stream." : "Stop running a rule (it stays in the store).") { id };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var rule = await sp.GetRequiredService<RuleLibrary>().SetEnabledAsync(parse.GetValue(id)!, enable, ct);
            Console.WriteLine($"Rule {rule.Id} ({rule.Title}) {(enable ? "enabled" : "disabled")}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
