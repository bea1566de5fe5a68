using Microsoft.AspNetCore.Mvc;
using Vigie.Core.Audit;
using Vigie.Core.Records;
using Vigie.Server.Hosting;

namespace Vigie.Server.Fhir;

/// <summary>
/// The FHIR R4 REST API under <c>/fhir</c> (JSON only). Every route accepts any signed-in user: the access policy,
/// not the route, decides each interaction (<see cref="AccessDecider"/>), and every interaction is in the ledger.
/// </summary>
internal static class FhirEndpoints
{
    public const string ContentType = "application/fhir+json; charset=utf-8";

    /// <summary>Whether a request is under <c>/fhir</c>, where every answer, errors included, is FHIR.</summary>
    public static bool IsFhir(HttpContext http) => http.Request.Path.StartsWithSegments("/fhir", StringComparison.OrdinalIgnoreCase);

    /// <summary>An error answered outside the endpoints (an exception, no route): an OperationOutcome of the response's status.</summary>
    public static async Task WriteErrorAsync(HttpContext http, string message, CancellationToken ct = default)
    {
        http.Response.ContentType = ContentType;
        await http.Response.Body.WriteAsync(OperationOutcomes.Error(OperationOutcomes.IssueType(http.Response.StatusCode), message), ct);
    }
    /// <summary>Transaction bundles (a patient's whole record) may be large; single resources are not.</summary>
    public const long BundleLimit = 32L * 1024 * 1024;
    public const long ResourceLimit = 4L * 1024 * 1024;

    public static void Map(WebApplication app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("FHIR");
        fhir.MapGet("/metadata", (HttpContext http) => Write(http, new FhirResult(200, CapabilityStatementBuilder.For($"{http.Request.Scheme}://{http.Request.Host}/fhir"))))
            .AllowPublic().WithSummary("The CapabilityStatement: resources, interactions and search parameters supported.");
        fhir.MapPost("/", (HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, BundleLimit, async (s, c, body) => await gateway.BundleAsync(s, c, body!, ct)))
            .AllowSignedIn().WithMetadata(new RequestSizeLimitAttribute(BundleLimit)).WithSummary("A transaction or batch Bundle.");
        fhir.MapGet("/{type}", (string type, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, (s, c, _) => gateway.SearchAsync(s, c, type, Query(http), ct)))
            .AllowSignedIn().WithSummary("Search a resource type.");
        fhir.MapPost("/{type}/_search", (string type, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, async (s, c, _) =>
                {
                    var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
                    var parameters = Query(http).Concat(form?.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))) ?? []).ToList();
                    return await gateway.SearchAsync(s, c, type, parameters, ct);
                }))
            .AllowSignedIn().WithSummary("Search a resource type with form parameters.");
        fhir.MapPost("/{type}", (string type, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, ResourceLimit, (s, c, body) => gateway.CreateAsync(s, c, type, body!, ct)))
            .AllowSignedIn().WithMetadata(new RequestSizeLimitAttribute(ResourceLimit)).WithSummary("Create a resource.");
        fhir.MapGet("/{type}/{id}", (string type, string id, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, (s, c, _) => gateway.ReadAsync(s, c, type, id, ct)))
            .AllowSignedIn().WithSummary("Read a resource.");
        fhir.MapPut("/{type}/{id}", (string type, string id, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, ResourceLimit, (s, c, body) => gateway.UpdateAsync(s, c, type, id, body!, http.Request.Headers.IfMatch.ToString(), ct)))
            .AllowSignedIn().WithMetadata(new RequestSizeLimitAttribute(ResourceLimit)).WithSummary("Update (or create with this id) a resource.");
        fhir.MapDelete("/{type}/{id}", (string type, string id, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, (s, c, _) => gateway.DeleteAsync(s, c, type, id, ct)))
            .AllowSignedIn().WithSummary("Delete a resource (its history stays).");
        fhir.MapGet("/{type}/{id}/_history", (string type, string id, int? _count, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, (s, c, _) => gateway.HistoryAsync(s, c, type, id, _count ?? 100, ct)))
            .AllowSignedIn().WithSummary("The versions of a resource, newest first.");
        fhir.MapGet("/{type}/{id}/_history/{version}", (string type, string id, string version, HttpContext http, RecordGateway gateway, CancellationToken ct) =>
                Run(http, 0, (s, c, _) => gateway.VReadAsync(s, c, type, id, version, ct)))
            .AllowSignedIn().WithSummary("Read one version of a resource.");
    }

    private static List<KeyValuePair<string, string>> Query(HttpContext http) =>
        http.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? ""))).ToList();

    // A ledger that cannot record the request throws LedgerUnavailableException: ProblemHandler answers it, as every
    // other failure under /fhir, with an OperationOutcome (503, transient, Retry-After).
    private static async Task Run(HttpContext http, long bodyLimit, Func<AccessSubject, FhirRequestContext, byte[]?, Task<FhirResult>> work)
    {
        var gateway = http.RequestServices.GetRequiredService<RecordGateway>();
        AccessSubject subject;
        try
        {
            subject = await FhirSubjects.SubjectAsync(http, http.RequestAborted);
        }
        catch (FhirException e)
        {
            await Write(http, RecordGateway.Error(e.Status, e.Code, e.Message));
            return;
        }
        FhirRequestContext context;
        try
        {
            context = FhirSubjects.Context(http);
        }
        catch (FhirSubjects.PurposeException e)
        {
            await gateway.Append(subject, e.Context, Action(http), null, null, null, 400, null, e.Message);
            await Write(http, RecordGateway.Error(400, "invalid", e.Message));
            return;
        }
        catch (FhirException e)
        {
            await Write(http, RecordGateway.Error(e.Status, e.Code, e.Message));
            return;
        }
        byte[]? body = null;
        if (bodyLimit > 0)
        {
            var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
            if (mediaType is not ("application/fhir+json" or "application/json"))
            {
                var message = $"Content-Type '{http.Request.ContentType}' is not supported; send application/fhir+json";
                await gateway.Append(subject, context, Action(http), null, null, null, 415, null, message);
                await Write(http, RecordGateway.Error(415, "not-supported", message));
                return;
            }
            try
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
                body = buffer.ToArray();
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                var message = $"the request body exceeds the limit of this endpoint ({bodyLimit / (1024 * 1024)} MiB)";
                await gateway.Append(subject, context, Action(http), null, null, null, 413, null, message);
                await Write(http, RecordGateway.Error(413, OperationOutcomes.IssueType(413), message));
                return;
            }
        }
        var result = await work(subject, context, body);
        await Write(http, result);
    }

    private static string Action(HttpContext http) => http.Request.Method switch
    {
        "GET" => "read",
        "POST" => http.Request.Path.Value?.TrimEnd('/') == "/fhir" ? "transaction" : "create",
        "PUT" => "update",
        "DELETE" => "delete",
        _ => "request",
    };

    private static async Task Write(HttpContext http, FhirResult result)
    {
        var response = http.Response;
        response.StatusCode = result.Status;
        if (result.Location is not null)
            response.Headers.Location = result.Location;
        if (result.ETag is not null)
            response.Headers.ETag = result.ETag;
        if (result.LastModified is { } modified)
            response.Headers.LastModified = modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (result.Status == 401)
            response.Headers.WWWAuthenticate = "Bearer";
        if (result.PossibleDuplicates is not null)
            response.Headers["X-Possible-Duplicates"] = result.PossibleDuplicates;
        if (result.Body.Length > 0)
        {
            response.ContentType = ContentType;
            response.ContentLength = result.Body.Length;
            await response.Body.WriteAsync(result.Body, http.RequestAborted);
        }
    }
}
