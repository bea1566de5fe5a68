using System.CommandLine;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Api;

namespace Vigie.Server.Cli;

internal static class EstablishmentCommands
{
    public static Command Create()
    {
        var command = new Command("establishments", "Add and list establishments (national → region → establishment).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Add()
    {
        var code = new Option<string>("--code") { Required = true, Description = "Short unique code (A-Z, 0-9, '-').", HelpName = "CODE" };
        var name = new Option<string>("--name") { Required = true, Description = "Full name.", HelpName = "NAME" };
        var type = new Option<string>("--type") { Required = true, Description = $"One of: {string.Join(", ", EstablishmentTypes.All)}.", HelpName = "TYPE" };
        type.AcceptOnlyFromAmong([.. EstablishmentTypes.All]);
        var parent = new Option<string?>("--parent") { Description = "Code of the parent establishment.", HelpName = "CODE" };
        var zone = new Option<string?>("--time-zone") { Description = "IANA time zone (default Africa/Casablanca).", HelpName = "ZONE" };
        var command = new Command("add", "Add an establishment.") { code, name, type, parent, zone };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            var added = await registry.AddAsync(new EstablishmentRegistry.NewEstablishment(
                parse.GetValue(code)!, parse.GetValue(name)!, parse.GetValue(type)!, parse.GetValue(parent), parse.GetValue(zone)), Actor.CommandLine(), ct);
            Console.WriteLine($"Added {added.Type.ToName()} {added.Code} ({added.Name}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var output = OutputFormat.Create();
        var command = new Command("list", "List establishments, parents before children.") { output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            var list = await registry.ListAsync(AccessScope.Everything, ct);
            var all = list.ToDictionary(e => e.Id);
            var views = list.Select(e => EstablishmentView.From(e, all)).ToList();
            OutputFormat.Write(parse, output, views, ["code", "type", "parent", "name", "time zone", "created"],
                views.Select(v => (IReadOnlyList<string?>)[v.Code, v.Type, v.Parent, v.Name, v.TimeZone, v.CreatedAt]));
            return ExitCodes.Ok;
        });
        return command;
    }
}
