using System.CommandLine;
using Vigie.Storage;

namespace Vigie.Server.Cli;

internal static class DbCommands
{
    public static Command Create()
    {
        var command = new Command("db", "Manage the store's schema.");
        var migrate = new Command("migrate", "Apply pending schema migrations (serve also does at start-up).");
        var o = StoreOptions.AddTo(migrate);
        migrate.SetAction(async (parse, ct) =>
        {
            var store = CommonOptions.ResolveStore(o.Configuration(parse));
            var migrator = new SchemaMigrator(store);
            var applied = await StoreSession.MigrateAsync(migrator, store, ct);
            Console.WriteLine(applied.Count == 0
                ? $"Store {store.Describe()} is up to date ({migrator.Known.Count} migrations)."
                : $"Store {store.Describe()}: applied {string.Join(", ", applied.Select(m => m.Name))}.");
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(migrate);
        return command;
    }
}
