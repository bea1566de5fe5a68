namespace Vigie.Core.Incidents;

/// <summary>Where an incident stands. A closed set: every switch over it is exhaustive.</summary>
public enum IncidentStatus
{
    Open = 1,
    Contained = 2,
    Closed = 3,
}

/// <summary>What a responder does to an incident's status.</summary>
public enum IncidentAction
{
    Contain = 1,
    Close = 2,
    Reopen = 3,
}

public static class IncidentStatuses
{
    public static IReadOnlyList<string> All { get; } = ["open", "contained", "closed"];

    public static string ToName(this IncidentStatus status) => status switch
    {
        IncidentStatus.Open => "open",
        IncidentStatus.Contained => "contained",
        IncidentStatus.Closed => "closed",
    };

    public static bool TryParse(string? text, out IncidentStatus status)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "open":
                status = IncidentStatus.Open;
                return true;
            case "contained":
                status = IncidentStatus.Contained;
                return true;
            case "closed":
                status = IncidentStatus.Closed;
                return true;
            default:
                status = default;
                return false;
        }
    }

    public static string ToName(this IncidentAction action) => action switch
    {
        IncidentAction.Contain => "contain",
        IncidentAction.Close => "close",
        IncidentAction.Reopen => "reopen",
    };

    public static string Past(this IncidentAction action) => action switch
    {
        IncidentAction.Contain => "contained",
        IncidentAction.Close => "closed",
        IncidentAction.Reopen => "reopened",
    };

    public static IncidentStatus? Target(IncidentStatus from, IncidentAction action) => (from, action) switch
    {
        (IncidentStatus.Open, IncidentAction.Contain) => IncidentStatus.Contained,
        (IncidentStatus.Open, IncidentAction.Close) => IncidentStatus.Closed,
        (IncidentStatus.Contained, IncidentAction.Close) => IncidentStatus.Closed,
        (IncidentStatus.Closed, IncidentAction.Reopen) => IncidentStatus.Open,
        _ => null,
    };

    public static IReadOnlyList<string> Allowed(IncidentStatus from) =>
        Enum.GetValues<IncidentAction>().Where(a => Target(from, a) is not null).Select(a => a.ToName()).ToList();
}
