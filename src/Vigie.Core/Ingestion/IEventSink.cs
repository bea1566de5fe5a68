using Vigie.Core.Events;

namespace Vigie.Core.Ingestion;

/// <summary>
/// How Vigie's own features submit events to the event store and detection, in process: the records gateway's
/// access events, the security events of sign-ins and administration. The events are normalised documents
/// (set <c>event.dataset</c>, <c>event.action</c>, <c>event.outcome</c>, <c>user.name</c>, …); the sink adds the
/// establishment, the time of ingestion and the source, and the task completes once they are durable.
/// </summary>
public interface IEventSink
{
    /// <summary>Stores the events, all belonging to <paramref name="establishmentId"/>; completes once they are durable.</summary>
    Task SubmitAsync(IReadOnlyList<EventDocument> events, Guid establishmentId, string source, CancellationToken ct = default);
}
