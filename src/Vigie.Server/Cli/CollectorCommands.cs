using System.CommandLine;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;

namespace Vigie.Server.Cli;

internal static class CollectorCommands
{
    public static Command Create()
    {
        var command = new Command("collectors", "Add collectors (each with its own API key), list and revoke them.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Add()
    {
        var name = new Option<string>("--name") { Required = true, Description = "Unique collector name.", HelpName = "NAME" };
        var establishment = new Option<string>("--establishment") { Required = true, Description = "Code of the establishment whose events it sends.", HelpName = "CODE" };
        var command = new Command("add", "Add a collector and print its API key, once.") { name, establishment };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var issued = await sp.GetRequiredService<CollectorRegistry>().AddAsync(parse.GetValue(name)!, parse.GetValue(establishment)!, Actor.CommandLine(), AccessScope.Everything, ct);
            Console.Error.WriteLine($"Collector {issued.Collector.Name} added. Its API key follows; it is shown only now, store it safely:");
            Console.WriteLine(issued.Key);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var output = OutputFormat.Create();
        var command = new Command("list", "List collectors and the state of their keys.") { output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var list = await sp.GetRequiredService<CollectorRegistry>().ListAsync(AccessScope.Everything, ct);
            var all = (await sp.GetRequiredService<EstablishmentRegistry>().ListAsync(AccessScope.Everything, ct)).ToDictionary(e => e.Id);
            var views = list.Select(c => CollectorView.From(c, all)).ToList();
            OutputFormat.Write(parse, output, views, ["name", "establishment", "key", "state", "created", "last seen"],
                views.Select(v => (IReadOnlyList<string?>)[v.Name, v.Establishment, v.KeyPrefix + "…", v.Active ? "active" : "revoked", v.CreatedAt, v.LastSeenAt]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke()
    {
        var name = new Argument<string>("name") { Description = "The collector." };
        var command = new Command("revoke", "Revoke a collector's key; its next request is refused.") { name };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var collector = await sp.GetRequiredService<CollectorRegistry>().RevokeAsync(parse.GetValue(name)!, Actor.CommandLine(), AccessScope.Everything, ct);
            Console.WriteLine($"Key of collector {collector.Name} revoked.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
