using System.CommandLine;

namespace Vigie.Server.Ingestion;

/// <summary>The syslog flags of <c>serve</c> and <c>demo</c>, read back from configuration (<c>syslog_udp</c>, …).</summary>
internal static class SyslogOptions
{
    public static IEnumerable<Option> Create() =>
    [
        new Option<string?>("--syslog-udp") { Description = "Receive syslog over UDP on ADDR:PORT (e.g. 0.0.0.0:514).", HelpName = "ADDR:PORT" },
        new Option<string?>("--syslog-tcp") { Description = "Receive syslog over TCP on ADDR:PORT (octet counting or line feeds, RFC 6587).", HelpName = "ADDR:PORT" },
        new Option<string?>("--syslog-tls") { Description = "Receive syslog over TLS on ADDR:PORT (RFC 5425); needs --tls-cert and --tls-key.", HelpName = "ADDR:PORT" },
        new Option<string?>("--tls-cert") { Description = "PEM certificate (chain) of the syslog TLS listener.", HelpName = "FILE" },
        new Option<string?>("--tls-key") { Description = "PEM private key of the syslog TLS listener.", HelpName = "FILE" },
        new Option<string?>("--syslog-collector") { Description = "The collector (hence the establishment) whose events arrive on the syslog listeners.", HelpName = "NAME" },
    ];
}
