namespace Vigie.Formats.Syslog;

/// <summary>
/// A parsed syslog message. Fields follow rsyslog's properties: <see cref="Hostname"/> is <c>%hostname%</c>,
/// <see cref="ProgramName"/> is <c>%programname%</c>, <see cref="Tag"/> is <c>%syslogtag%</c> and
/// <see cref="Message"/> is <c>%msg%</c> (for RFC 3164, everything after the tag, leading space included).
/// </summary>
public sealed class SyslogMessage
{
    /// <summary>The default priority of a message without one: user.notice.</summary>
    public const int DefaultPriority = 13;

    /// <summary>Which header was recognised.</summary>
    public SyslogFormat Format { get; init; }

    /// <summary>The priority (facility × 8 + severity); <see cref="DefaultPriority"/> when the message had none.</summary>
    public int Priority { get; init; } = DefaultPriority;

    /// <summary>Whether the message carried a valid <c>&lt;PRI&gt;</c>.</summary>
    public bool HasPriority { get; init; }

    /// <summary>The facility code (0–23).</summary>
    public int Facility => Priority >> 3;

    /// <summary>The severity code (0 emergency – 7 debug).</summary>
    public int Severity => Priority & 7;

    /// <summary>
    /// The time written in the message, with the offset it was written with; for RFC 3164 stamps (no zone, often
    /// no year) the assumed offset and the year that puts the stamp closest before the reception time. Null when absent.
    /// </summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The host named in the message; null when the message names none (the sender's address stands for it).</summary>
    public string? Hostname { get; init; }

    /// <summary>RFC 5424 APP-NAME; null for RFC 3164 and NILVALUE.</summary>
    public string? AppName { get; init; }

    /// <summary>The process id: RFC 5424 PROCID, or the <c>[pid]</c> of an RFC 3164 tag; null when absent.</summary>
    public string? ProcId { get; init; }

    /// <summary>RFC 5424 MSGID; null when absent.</summary>
    public string? MsgId { get; init; }

    /// <summary>The syslog tag (<c>sshd[12750]:</c>); empty when none.</summary>
    public string Tag { get; init; } = "";

    /// <summary>The program: the tag up to <c>[</c>, <c>:</c> or <c>/</c>, or the RFC 5424 APP-NAME; empty when none.</summary>
    public string ProgramName { get; init; } = "";

    /// <summary>RFC 5424 structured data, in order; empty when none.</summary>
    public IReadOnlyList<SyslogStructuredElement> StructuredData { get; init; } = [];

    /// <summary>The message text (rsyslog's <c>%msg%</c>).</summary>
    public string Message { get; init; } = "";

    /// <summary>Whether the bytes were not valid UTF-8 (invalid sequences were replaced by U+FFFD).</summary>
    public bool InvalidUtf8 { get; init; }

    /// <summary>Whether the message starts with a UTF-8 byte order mark (RFC 5424 BOM before MSG).</summary>
    public bool HadBom { get; init; }
}
