namespace Vigie.Core.Alerts;

/// <summary>Where an alert stands in triage. A closed set: every switch over it is exhaustive.</summary>
public enum AlertStatus
{
    New = 1,
    Acknowledged = 2,
    Closed = 3,
}

/// <summary>What an analyst does to an alert's status.</summary>
public enum AlertAction
{
    Acknowledge = 1,
    Close = 2,
    Reopen = 3,
}

public static class AlertStatuses
{
    public static IReadOnlyList<string> All { get; } = ["new", "acknowledged", "closed"];

    public static string ToName(this AlertStatus status) => status switch
    {
        AlertStatus.New => "new",
        AlertStatus.Acknowledged => "acknowledged",
        AlertStatus.Closed => "closed",
    };

    public static bool TryParse(string? text, out AlertStatus status)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "new":
                status = AlertStatus.New;
                return true;
            case "acknowledged" or "ack":
                status = AlertStatus.Acknowledged;
                return true;
            case "closed":
                status = AlertStatus.Closed;
                return true;
            default:
                status = default;
                return false;
        }
    }

    public static string ToName(this AlertAction action) => action switch
    {
        AlertAction.Acknowledge => "acknowledge",
        AlertAction.Close => "close",
        AlertAction.Reopen => "reopen",
    };

    /// <summary>The status an action leads to, or null when the action is not allowed from <paramref name="from"/>.</summary>
    public static AlertStatus? Target(AlertStatus from, AlertAction action) => (from, action) switch
    {
        (AlertStatus.New, AlertAction.Acknowledge) => AlertStatus.Acknowledged,
        (AlertStatus.New, AlertAction.Close) => AlertStatus.Closed,
        (AlertStatus.Acknowledged, AlertAction.Close) => AlertStatus.Closed,
        (AlertStatus.Closed, AlertAction.Reopen) => AlertStatus.Acknowledged,
        _ => null,
    };

    /// <summary>The actions allowed from a status, as named in the API.</summary>
    public static IReadOnlyList<string> Allowed(AlertStatus from) =>
        Enum.GetValues<AlertAction>().Where(a => Target(from, a) is not null).Select(a => a.ToName()).ToList();
}
