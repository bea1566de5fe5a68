namespace Vigie.Server.Cli;

/// <summary>Process exit codes shared by every verb.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran and found something wrong (a rejected rule, a broken ledger, an unreadable file).</summary>
    public const int Failed = 1;
    /// <summary>The command line itself is wrong: unknown verb or flag, missing or malformed value.</summary>
    public const int Usage = 2;
    /// <summary>A resource the command needs is unavailable: store unreachable, port in use.</summary>
    public const int Unavailable = 3;
    public const int Interrupted = 130;
}
