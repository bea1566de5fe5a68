namespace Vigie.Server.Cli;

/// <summary>An error a verb reports to the user as one line, with the exit code it implies.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
