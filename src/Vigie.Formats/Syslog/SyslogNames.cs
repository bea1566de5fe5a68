namespace Vigie.Formats.Syslog;

/// <summary>The names of facilities and severities, as rsyslog writes them (<c>local4</c>, <c>debug</c>).</summary>
public static class SyslogNames
{
    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    /// <summary>The name of facility <paramref name="code"/> (0–23); its number as text beyond.</summary>
    public static string Facility(int code) =>
        code >= 0 && code < Facilities.Length ? Facilities[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The name of severity <paramref name="code"/> (0–7).</summary>
    public static string Severity(int code) => Severities[code & 7];
}
