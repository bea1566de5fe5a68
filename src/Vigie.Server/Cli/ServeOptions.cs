using System.CommandLine;

namespace Vigie.Server.Cli;

/// <summary>Options of <c>serve</c> and <c>demo</c> beyond the store and addresses; features add theirs here.</summary>
internal static class ServeOptions
{
    public static List<Option> Create() =>
    [
        RecordsCommands.KekFile(),
        new Option<string?>("--policy") { Description = "Access policy file (YAML) replacing the built-in policies/records-access.yaml.", HelpName = "FILE" },
        .. Ingestion.SyslogOptions.Create(),
    ];
}
