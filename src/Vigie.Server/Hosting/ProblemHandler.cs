using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;

namespace Vigie.Server.Hosting;

/// <summary>
/// Turns refusals and bad input into RFC 9457 problem details with a 4xx status, and a ledger that cannot record the
/// request into a 503. Anything else is a fault of Vigie's: a 500 without details, logged without the request's content.
/// Under <c>/fhir</c> the same answer is an OperationOutcome (<c>application/fhir+json</c>), what FHIR clients read.
/// </summary>
internal sealed partial class ProblemHandler(IProblemDetailsService problems, ILogger<ProblemHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            VigieException v => (StatusOf(v.Kind), TitleOf(v.Kind), v.Message),
            BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (413, "Request body too large", "the request body exceeds the limit of this endpoint"),
            BadHttpRequestException b => (b.StatusCode, "Bad request", Describe(b)),
            JsonException j => (400, "Malformed JSON", j.Message),
            Vigie.Core.Audit.LedgerUnavailableException => (503, "Service unavailable", Vigie.Core.Audit.LedgerUnavailableException.Explanation),
            // A store that refuses or drops connections (a restart, a failover) after the retries: the client may try again.
            // Any other database error (a deadlock, a timeout, a full disk) stays a fault of Vigie's, logged whole.
            _ when Unreachable(exception) => (503, "Service unavailable", StoreUnavailable),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request", ""),
            _ => (500, "Internal error", "an unexpected error occurred; it has been logged"),
        };
        if (status == 500)
            LogUnexpected(logger, exception.GetType().Name, context.Request.Method, RouteOf(context), exception.StackTrace ?? "");
        else if (detail == StoreUnavailable)
            LogStoreUnavailable(logger, exception.GetType().Name, SqlState(exception) ?? "none", context.Request.Method, RouteOf(context));
        if (context.Response.HasStarted)
            return true;
        context.Response.StatusCode = status;
        if (status == 503)
            context.Response.Headers.RetryAfter = "5";
        if (Fhir.FhirEndpoints.IsFhir(context))
        {
            await Fhir.FhirEndpoints.WriteErrorAsync(context, detail.Length > 0 ? detail : title, ct);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private const string StoreUnavailable = "the store cannot be reached for the moment and the request was not completed; retry after the delay in Retry-After";

    /// <summary>
    /// Whether the store could not be reached at all: the connection refused or cut (a socket error), or PostgreSQL
    /// turning connections away (class 08; 57P01–57P03 while it shuts down or starts up; 55000 for a database that
    /// does not accept connections for the moment).
    /// </summary>
    private static bool Unreachable(Exception e) => e switch
    {
        Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException { InnerException: { } inner } => Unreachable(inner),
        Npgsql.PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03" or "55000",
        Npgsql.NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } => true,
        _ => false,
    };

    private static string? SqlState(Exception e) => e switch
    {
        Npgsql.PostgresException p => p.SqlState,
        { InnerException: { } inner } => SqlState(inner),
        _ => null,
    };

    private static string Describe(BadHttpRequestException e)
    {
        // Binding failures wrap the JSON reader's message, which names the position (path, line, byte).
        var inner = e.InnerException;
        return inner is JsonException json ? $"{e.Message.TrimEnd('.')}: {json.Message}" : e.Message;
    }

    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Invalid => 400,
        ProblemKind.NotFound => 404,
        ProblemKind.Conflict => 409,
        ProblemKind.Forbidden => 403,
        ProblemKind.Unauthorized => 401,
        ProblemKind.Locked => 423,
        _ => 400,
    };

    private static string TitleOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Invalid => "Invalid request",
        ProblemKind.NotFound => "Not found",
        ProblemKind.Conflict => "Conflict",
        ProblemKind.Forbidden => "Forbidden",
        ProblemKind.Unauthorized => "Unauthorized",
        ProblemKind.Locked => "Locked",
        _ => "Invalid request",
    };

    /// <summary>The route template, not the path: a path may hold a patient's identifier.</summary>
    public static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";

    // The exception's message is left out on purpose: it may quote request content.
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Store unavailable ({ExceptionType}, SQL state {SqlState}) while handling {Method} {Route}; answered 503")]
    private static partial void LogStoreUnavailable(ILogger logger, string exceptionType, string sqlState, string method, string route);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} while handling {Method} {Route}\n{StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string method, string route, string stackTrace);
}
