using System.CommandLine;
using System.Reflection;

namespace Vigie.Server.Cli;

internal static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static Command Create()
    {
        var command = new Command("version", "Print Vigie's version.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"vigie {Version} (.NET {Environment.Version})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
