using System.IO.Compression;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Events;
using Vigie.Core.Identity;
using Vigie.Core.Ingestion;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Ingestion;

/// <summary>
/// <c>POST /api/v1/ingest</c>: collectors send NDJSON (gzip accepted) with their API key; the reply comes once the
/// accepted events are durable. <c>GET /api/v1/ingest/stats</c>: the pipeline's counters.
/// </summary>
internal static class IngestEndpoints
{
    /// <summary>The largest body accepted on the wire (compressed or not).</summary>
    public const long MaxBodyBytes = 64L * 1024 * 1024;
    /// <summary>The largest body once decompressed.</summary>
    public const long MaxDecompressedBytes = 256L * 1024 * 1024;
    public const int MaxIdempotencyKeyLength = 200;
    private static readonly TimeSpan DurableTimeout = TimeSpan.FromSeconds(60);

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/v1/ingest", IngestAsync).WithTags("Collection").AllowCollectors()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Events as NDJSON (gzip accepted); replies {accepted, rejected: [{line, error}]} once the accepted events are durable. Idempotency-Key makes a retried batch count once.");
        app.MapGet("/api/v1/ingest/stats", Stats).WithTags("Collection").AllowRoles(Roles.Admin, Roles.SocAnalyst)
            .WithSummary("Ingestion counters since start: received, stored, pipeline errors, refused batches, UDP drops, queue.");
    }

    private static async Task<IResult> IngestAsync(HttpContext http, EventWriter writer, EventSink sink, IngestStats stats, CancellationToken ct)
    {
        var user = http.User;
        var collector = user.FindFirstValue(VigieClaims.Collector) ?? throw VigieException.Forbidden("only collectors may ingest");
        var establishmentId = Guid.Parse(user.FindFirstValue(VigieClaims.Establishment)!);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > MaxIdempotencyKeyLength)
            throw VigieException.Invalid($"Idempotency-Key is longer than {MaxIdempotencyKeyLength} characters");
        if (key.Length == 0)
            key = null!;

        // Refuse early, before reading the body, when the queue is already full.
        if (writer.Queued >= writer.Capacity)
            return Overloaded(http, stats);

        var body = await ReadBodyAsync(http.Request, ct);
        var context = new IngestContext(establishmentId, await sink.CodeOfAsync(establishmentId, ct), collector, "http", DateTimeOffset.UtcNow,
            http.Connection.RemoteIpAddress?.ToString());
        var result = IngestBatchReader.ReadNdjson(body.Span, context);
        stats.AddReceived(result.Events.Count);
        stats.AddPipelineErrors(result.Rejected.Count);
        var reply = new IngestReply(result.Accepted, result.Rejected.Select(r => new RejectedLine(r.Line, r.Error)).ToList());
        if (result.Events.Count == 0)
            return Results.Ok(reply);
        // Serialised on the request's thread, so that the single writer only inserts.
        foreach (var e in result.Events)
            e.Json ??= e.Document.ToUtf8Json();
        if (!writer.TryEnqueue(new EventBatch(result.Events, collector, key), out var stored))
            return Overloaded(http, stats);
        var durable = await Task.WhenAny(stored, Task.Delay(DurableTimeout, ct));
        if (durable != stored)
        {
            http.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, title: "Store unavailable",
                detail: "the events could not be made durable in time; retry with the same Idempotency-Key");
        }
        var isNew = await stored;
        return Results.Ok(isNew ? reply : reply with { Duplicate = true });
    }

    private static IResult Overloaded(HttpContext http, IngestStats stats)
    {
        stats.AddRefused();
        http.Response.Headers.RetryAfter = "1";
        return Results.Problem(statusCode: 503, title: "Ingestion queue full", detail: "too many events are waiting to be stored; retry after the delay in Retry-After");
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        Stream source = request.Body;
        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        else if (encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            throw VigieException.Invalid($"Content-Encoding '{encoding}' is not supported (gzip or none)");
        var buffer = new MemoryStream(request.ContentLength is > 0 and < MaxBodyBytes ? (int)request.ContentLength : 64 * 1024);
        var chunk = new byte[81920];
        try
        {
            while (true)
            {
                var n = await source.ReadAsync(chunk, ct);
                if (n == 0)
                    break;
                if (buffer.Length + n > MaxDecompressedBytes)
                    throw VigieException.Invalid($"the body is larger than {MaxDecompressedBytes / (1024 * 1024)} MiB once decompressed; send smaller batches");
                buffer.Write(chunk, 0, n);
            }
        }
        catch (InvalidDataException)
        {
            throw VigieException.Invalid("the body is not valid gzip");
        }
        finally
        {
            if (!ReferenceEquals(source, request.Body))
                await source.DisposeAsync();
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static IResult Stats(IngestStats stats, EventWriter writer, Core.Detection.StreamDetector detector) => Results.Ok(new
    {
        started_at = stats.StartedAt,
        received = stats.Received,
        stored = stats.Stored,
        pipeline_errors = stats.PipelineErrors,
        duplicate_batches = stats.DuplicateBatches,
        transactions = stats.Transactions,
        refused_batches = stats.Refused,
        udp_dropped = stats.UdpDropped,
        truncated = stats.Truncated,
        queued = writer.Queued,
        queue_capacity = writer.Capacity,
        detections = stats.Detections,
        events_with_detections = stats.DetectedEvents,
        detection_processed = stats.DetectionProcessed,
        rules = detector.RuleCount,
    });

    internal sealed record RejectedLine(int Line, string Error);

    internal sealed record IngestReply(int Accepted, IReadOnlyList<RejectedLine> Rejected)
    {
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
        public bool Duplicate { get; init; }
    }
}
