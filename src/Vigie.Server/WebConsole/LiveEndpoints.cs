using System.Text.Json;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.WebConsole;

/// <summary>
/// <c>GET /live</c>: server-sent events for the console, each message filtered by the reader's scope and
/// roles before it leaves the server, so no other establishment's datum ever reaches a browser.
/// </summary>
internal static class LiveEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Map(WebApplication app)
    {
        app.MapGet("/live", StreamAsync)
            .WithMetadata(new EndpointAccess("any signed-in user (console)", []))
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { AuthenticationSchemes = VigieApp.ConsoleScheme })
            .ExcludeFromDescription();
    }

    private static async Task StreamAsync(HttpContext http, LiveFeed feed, CurrentUser current, ConsoleFocus focus, EstablishmentIndex index, CancellationToken ct)
    {
        // The focus narrows the user's scope (never widens it): a console narrowed to one establishment gets only its messages.
        var scope = await focus.ScopeAsync(ct);
        var roles = current.Roles.ToHashSet();
        var establishments = await index.GetAsync(ct);
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var reader = feed.Subscribe(ct);
        await http.Response.WriteAsync(": connected\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        try
        {
            using var heartbeat = new PeriodicTimer(TimeSpan.FromSeconds(15));
            var next = reader.ReadAsync(ct).AsTask();
            var beat = heartbeat.WaitForNextTickAsync(ct).AsTask();
            while (!ct.IsCancellationRequested)
            {
                var done = await Task.WhenAny(next, beat);
                if (done == beat)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    beat = heartbeat.WaitForNextTickAsync(ct).AsTask();
                    continue;
                }
                var message = await next;
                next = reader.ReadAsync(ct).AsTask();
                if (!scope.Contains(message.EstablishmentId) || !message.Roles.Any(roles.Contains))
                    continue;
                var code = message.EstablishmentId is { } id && establishments.TryGetValue(id, out var e) ? e.Code : null;
                var data = JsonSerializer.Serialize(new { kind = message.Kind, establishment = code, data = message.Payload }, Json);
                await http.Response.WriteAsync($"event: {message.Kind}\ndata: {data}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The node is stopping.
        }
    }
}
