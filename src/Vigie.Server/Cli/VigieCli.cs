using System.CommandLine;
using System.CommandLine.Invocation;
using Vigie.Core;

namespace Vigie.Server.Cli;

/// <summary>The <c>vigie</c> command line: one verb group per feature, each in its own file.</summary>
internal static class VigieCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Vigie: the security operations platform of a national health system.");
        root.Subcommands.Add(ServeCommand.Create(demo: false));
        root.Subcommands.Add(ServeCommand.Create(demo: true));
        root.Subcommands.Add(DbCommands.Create());
        root.Subcommands.Add(EstablishmentCommands.Create());
        root.Subcommands.Add(UserCommands.Create());
        root.Subcommands.Add(CollectorCommands.Create());
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(SigmaCommands.Create());
        root.Subcommands.Add(EvtxCommands.Create());
        root.Subcommands.Add(RecordsCommands.Create());
        root.Subcommands.Add(AuditCommands.Create());
        root.Subcommands.Add(KeysCommands.Create());
        root.Subcommands.Add(IngestCommands.Create());
        root.Subcommands.Add(EventCommands.Create());
        root.Subcommands.Add(RuleCommands.Create());
        root.Subcommands.Add(AlertCommands.Create());
        root.Subcommands.Add(IncidentCommands.Create());
        root.Subcommands.Add(PrivacyCommands.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One clear line per problem, then where to look; never the whole help page on a typo.
            // "Required command was not provided" only restates an unknown verb reported beside it.
            var errors = parse.Errors.Count > 1
                ? parse.Errors.Where(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)).ToList()
                : parse.Errors.ToList();
            foreach (var error in errors)
                await Console.Error.WriteLineAsync($"vigie: {error.Message}");
            var verb = string.Join(' ', CommandPath(parse.CommandResult.Command, root));
            await Console.Error.WriteLineAsync($"Run 'vigie{(verb.Length > 0 ? " " + verb : "")} --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"vigie: {e.Message}");
            return e.ExitCode;
        }
        catch (VigieException e)
        {
            // A setting or an input that cannot work (a missing key-encryption key, …): said in one line, no stack.
            await Console.Error.WriteLineAsync($"vigie: {e.Message}");
            return e.Kind == ProblemKind.Invalid ? ExitCodes.Usage : ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (var c = command; c is not null && c != root; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Push(c.Name);
        return names;
    }
}
