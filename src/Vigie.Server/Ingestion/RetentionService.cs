using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Storage.Events;

namespace Vigie.Server.Ingestion;

/// <summary>
/// Deletes events older than each establishment's retention (400 days by default), never less than the 183 days
/// (six months) the national security directive requires. On PostgreSQL, day partitions no establishment keeps are dropped whole.
/// Runs ten minutes after start, then every <c>retention_interval_hours</c> (6 by default).
/// </summary>
internal sealed partial class RetentionService(IEventStore events, IServiceScopeFactory scopes, IConfiguration configuration, ILogger<RetentionService> logger) : BackgroundService
{
    public const int MinimumDays = 183;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromHours(Math.Max(0.01, configuration.GetValue<double?>("retention_interval_hours") ?? 6));
        var first = TimeSpan.FromMinutes(configuration.GetValue<double?>("retention_first_run_minutes") ?? 10);
        try
        {
            await Task.Delay(first, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(DateTime.UtcNow, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e.GetType().Name);
                }
                await Task.Delay(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task<long> RunOnceAsync(DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var establishments = await db.Establishments.AsNoTracking().ToListAsync(ct);
        long total = 0;
        var longest = MinimumDays;
        foreach (var e in establishments)
        {
            var days = Math.Max(MinimumDays, e.RetentionDays);
            longest = Math.Max(longest, days);
            var deleted = await events.DeleteOlderThanAsync(e.Id, now.AddDays(-days), ct);
            if (deleted > 0)
                LogDeleted(logger, deleted, e.Code, days);
            total += deleted;
        }
        await EventStores.DropExpiredPartitionsAsync(events, now.AddDays(-longest), ct);
        return total;
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Retention: deleted {Count} events of {Establishment} older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, long count, string establishment, int days);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Retention pass failed ({ExceptionType}); retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
