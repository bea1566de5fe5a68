namespace Vigie.Formats.Syslog;

/// <summary>Which header a syslog message carried.</summary>
public enum SyslogFormat
{
    /// <summary>No recognisable header: the whole text is the message.</summary>
    Unknown = 0,
    /// <summary>The BSD format of RFC 3164 (<c>&lt;PRI&gt;Mmm dd hh:mm:ss host tag: msg</c>) and its common variants.</summary>
    Rfc3164,
    /// <summary>The format of RFC 5424 (<c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD MSG</c>).</summary>
    Rfc5424,
}
