namespace Vigie.Server.WebConsole;

/// <summary>Who opens which console pages, as the role lists page attributes need (constants, comma-separated).</summary>
internal static class ConsoleRoles
{
    /// <summary>Alerts, events, incidents and privacy investigations: the SOC, security officers, DPOs and administrators.</summary>
    public const string Triage = "admin,soc-analyst,security-officer,dpo";

    /// <summary>Rules and their figures: those who work on security alerts.</summary>
    public const string Security = "admin,soc-analyst,security-officer";

    /// <summary>The audit ledger's status.</summary>
    public const string Ledger = "admin,soc-analyst,dpo";
}
