namespace Vigie.Core.Events;

/// <summary>The ECS field names Vigie sets, and those the event store keeps in their own indexed columns.</summary>
public static class EventFields
{
    public const string Timestamp = "@timestamp";
    public const string Kind = "event.kind";
    public const string Category = "event.category";
    public const string Type = "event.type";
    public const string Action = "event.action";
    public const string Outcome = "event.outcome";
    public const string Dataset = "event.dataset";
    public const string Module = "event.module";
    public const string Original = "event.original";
    public const string Ingested = "event.ingested";
    public const string Code = "event.code";
    public const string Severity = "event.severity";
    public const string Message = "message";
    public const string HostName = "host.name";
    public const string UserName = "user.name";
    public const string SourceIp = "source.ip";
    public const string DestinationIp = "destination.ip";
    public const string Organization = "organization.id";
    public const string OrganizationName = "organization.name";
    public const string AgentName = "agent.name";
    public const string ErrorMessage = "error.message";
    public const string Tags = "tags";

    /// <summary>event.kind of a line Vigie could not parse: stored with its reason, never dropped.</summary>
    public const string PipelineError = "pipeline_error";

    /// <summary>
    /// Fields with a column of their own in the event store (indexed with the time), so that the searches analysts
    /// run most (a user, an address, a host, a dataset) do not read the JSON document.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Columns = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Dataset] = "dataset",
        [Kind] = "kind",
        [Action] = "action",
        [Outcome] = "outcome",
        [HostName] = "host_name",
        [UserName] = "user_name",
        [SourceIp] = "source_ip",
        [DestinationIp] = "destination_ip",
    };
}
