namespace Vigie.Formats.Syslog;

/// <summary>One SD-ELEMENT of RFC 5424 structured data: its id and its parameters in order.</summary>
/// <param name="Id">The SD-ID (<c>exampleSDID@32473</c>, <c>timeQuality</c>).</param>
/// <param name="Parameters">The SD-PARAMs, names and unescaped values, in the order written.</param>
public sealed record SyslogStructuredElement(string Id, IReadOnlyList<KeyValuePair<string, string>> Parameters);
