namespace Vigie.Core.Ingestion;

/// <summary>Counters of the ingestion pipeline since start, read by <c>GET /api/v1/ingest/stats</c>.</summary>
public sealed class IngestStats
{
    private long _received;
    private long _stored;
    private long _pipelineErrors;
    private long _duplicateBatches;
    private long _transactions;
    private long _refused;
    private long _udpDropped;
    private long _truncated;
    private long _detected;
    private long _detectedEvents;
    private long _detectionProcessed;

    public long Received => Interlocked.Read(ref _received);
    public long Stored => Interlocked.Read(ref _stored);
    public long PipelineErrors => Interlocked.Read(ref _pipelineErrors);
    public long DuplicateBatches => Interlocked.Read(ref _duplicateBatches);
    public long Transactions => Interlocked.Read(ref _transactions);
    /// <summary>Batches refused with 429/503 because the queue was full.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>UDP datagrams dropped because the queue was full (UDP has no way to slow a sender down).</summary>
    public long UdpDropped => Interlocked.Read(ref _udpDropped);
    public long Truncated => Interlocked.Read(ref _truncated);
    public long Detections => Interlocked.Read(ref _detected);
    public long DetectedEvents => Interlocked.Read(ref _detectedEvents);
    /// <summary>Events detection has gone through since start.</summary>
    public long DetectionProcessed => Interlocked.Read(ref _detectionProcessed);
    public DateTime StartedAt { get; } = DateTime.UtcNow;

    public void AddReceived(long n) => Interlocked.Add(ref _received, n);
    public void AddStored(long n) => Interlocked.Add(ref _stored, n);
    public void AddPipelineErrors(long n) => Interlocked.Add(ref _pipelineErrors, n);
    public void AddDuplicateBatch() => Interlocked.Increment(ref _duplicateBatches);
    public void AddTransaction() => Interlocked.Increment(ref _transactions);
    public void AddRefused() => Interlocked.Increment(ref _refused);
    public void AddUdpDropped() => Interlocked.Increment(ref _udpDropped);
    public void AddTruncated() => Interlocked.Increment(ref _truncated);
    public void AddDetections(long n) => Interlocked.Add(ref _detected, n);
    public void AddDetectedEvents(long n) => Interlocked.Add(ref _detectedEvents, n);
    public void AddDetectionProcessed(long n) => Interlocked.Add(ref _detectionProcessed, n);
}
