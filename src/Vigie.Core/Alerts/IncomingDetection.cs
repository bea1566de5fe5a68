using Vigie.Sigma;

namespace Vigie.Core.Alerts;

/// <summary>
/// A rule's match on one event, as detection hands it to alerting: the rule (id, title, level, tags), the
/// event (reference, time, establishment, the fields alerting needs) and, for privacy rules, a risk score
/// with the facts behind it. Sigma matches and the privacy baseline's findings take this one shape.
/// </summary>
public sealed record IncomingDetection
{
    /// <summary>Where the detection comes from (<c>sigma</c>, <c>privacy</c>); with <see cref="Id"/>, unique.</summary>
    public required string Source { get; init; }
    public required string Id { get; init; }
    public required string RuleId { get; init; }
    public required string Title { get; init; }
    public SigmaLevel Level { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public Guid? EstablishmentId { get; init; }
    /// <summary>When the event happened (UTC).</summary>
    public required DateTime Time { get; init; }
    /// <summary>Where the event can be found in the event store.</summary>
    public string? EventRef { get; init; }
    /// <summary>The event's fields by ECS name (flattened, values as text).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    /// <summary>The whole event as JSON, when the source has it; exceptions (Sigma filters) are evaluated on it, else on <see cref="Fields"/>.</summary>
    public string? EventJson { get; init; }
    /// <summary>Privacy detections: how suspicious the access is, 0–100.</summary>
    public int? RiskScore { get; init; }
    /// <summary>Privacy detections: the facts that made the access suspicious, in words.</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    public string? Field(string name) => Fields.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
}
