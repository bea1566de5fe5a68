namespace Vigie.Core.Ingestion;

/// <summary>Where a batch of events comes from: the establishment it belongs to, the collector, the transport.</summary>
public sealed record IngestContext(Guid EstablishmentId, string EstablishmentCode, string Collector, string Transport, DateTimeOffset Received, string? SenderAddress = null);
