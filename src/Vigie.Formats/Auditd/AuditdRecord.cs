namespace Vigie.Formats.Auditd;

/// <summary>
/// One Linux audit record as auditd writes it: <c>type=SYSCALL msg=audit(1604994496.155:92733): key=value …</c>.
/// Records of one event share <see cref="Time"/> and <see cref="Serial"/>.
/// </summary>
public sealed class AuditdRecord
{
    /// <summary>The record type (<c>SYSCALL</c>, <c>EXECVE</c>, <c>PATH</c>, …).</summary>
    public required string Type { get; init; }
    /// <summary>When the kernel recorded the event.</summary>
    public DateTimeOffset Time { get; init; }
    /// <summary>The event's serial number, shared by its records.</summary>
    public long Serial { get; init; }
    /// <summary>The <c>audit(…)</c> stamp as written.</summary>
    public required string Stamp { get; init; }
    /// <summary>The key-value pairs after the stamp, quotes removed, in order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; }
}
