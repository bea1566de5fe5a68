using Vigie.Server.Hosting;
using Vigie.Storage;

namespace Vigie.Server.Api;

internal static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" })).AllowPublic().WithTags("Service")
            .WithSummary("The process is alive.");
        app.MapGet("/readyz", ReadyAsync).AllowPublic().WithTags("Service")
            .WithSummary("The store is reachable and every migration is applied.");
    }

    private static async Task<IResult> ReadyAsync(SchemaMigrator migrator, CancellationToken ct)
    {
        try
        {
            var status = await migrator.StatusAsync(ct);
            return status.Pending.Count == 0
                ? Results.Ok(new { status = "ready", schema_version = status.Applied })
                : Results.Json(new { status = "migrating", pending = status.Pending.Select(m => m.Name) }, statusCode: 503);
        }
        catch (Exception e) when (Cli.StoreSession.IsStoreUnavailable(e))
        {
            return Results.Json(new { status = "store unreachable" }, statusCode: 503);
        }
    }
}
