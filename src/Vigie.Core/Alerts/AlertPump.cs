using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Privacy;

namespace Vigie.Core.Alerts;

/// <summary>
/// Follows, from durable cursors (<c>alert_cursors</c>): the detections table, whose detections it groups into
/// alerts (the cursor moves in the same transaction as the alerts), and the event store, whose record-access
/// events (<c>event.dataset: vigie.records</c>) it takes through privacy monitoring. Runs in <c>serve</c>;
/// <c>alerting: false</c> turns it off.
/// </summary>
public sealed partial class AlertPump(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<AlertPump> logger) : BackgroundService
{
    public const string PrivacyCursor = "privacy-events";
    private const int BatchSize = 2000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration.GetValue<bool?>("alerting") == false)
            return;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var moved = await RunOnceAsync(stoppingToken);
                if (moved == 0)
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The message is left out: it may quote an event.
                LogFailed(logger, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>One pass: a batch of detections into alerts, a batch of events through privacy monitoring; returns how many items moved.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var moved = 0;
        // Alerts, the privacy index and the cursors are derived again from detections and events after a power cut.
        await using (var scope = scopes.CreateAsyncScope())
        await using (await DerivedWrites.RelaxAsync(scope.ServiceProvider.GetRequiredService<VigieDbContext>(), ct))
            moved += await DetectionsAsync(scope.ServiceProvider, ct);
        await using (var scope = scopes.CreateAsyncScope())
        await using (await DerivedWrites.RelaxAsync(scope.ServiceProvider.GetRequiredService<VigieDbContext>(), ct))
            moved += await PrivacyAsync(scope.ServiceProvider, ct);
        return moved;
    }

    private static async Task<int> DetectionsAsync(IServiceProvider sp, CancellationToken ct)
    {
        var db = sp.GetRequiredService<VigieDbContext>();
        var source = sp.GetService<IDetectionSource>();
        if (source is null)
            return 0;
        var cursor = await CursorAsync(db, source.Name, ct);
        var batch = await source.ReadAfterAsync(cursor.Position, BatchSize, ct);
        if (batch.Next == cursor.Position)
            return 0;
        cursor.Position = batch.Next;
        cursor.UpdatedAt = DateTime.UtcNow;
        // The builder saves the alerts and the moved cursor together.
        await sp.GetRequiredService<AlertBuilder>().AddAsync(batch.Items, ct);
        if (batch.Items.Count == 0)
            await db.SaveChangesAsync(ct);
        return Math.Max(1, batch.Items.Count);
    }

    private static async Task<int> PrivacyAsync(IServiceProvider sp, CancellationToken ct)
    {
        var store = sp.GetService<IEventStore>();
        if (store is null)
            return 0;
        var db = sp.GetRequiredService<VigieDbContext>();
        var cursor = await CursorAsync(db, PrivacyCursor, ct);
        var events = await store.ReadAfterAsync(cursor.Position, BatchSize, ct);
        if (events.Count == 0)
            return 0;
        var accesses = new List<RecordAccess>();
        foreach (var e in events)
        {
            if (!e.Json.Contains(RecordAccess.Dataset, StringComparison.Ordinal))
                continue;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(e.Json);
                if (doc.RootElement.TryGetProperty("event.dataset", out var dataset) && dataset.ValueKind == System.Text.Json.JsonValueKind.String
                    && dataset.GetString() == RecordAccess.Dataset)
                    accesses.Add(RecordAccess.FromJson(doc.RootElement, $"event:{e.Id}"));
            }
            catch (Exception x) when (x is System.Text.Json.JsonException or VigieException)
            {
                // A malformed record event is skipped: it stays in the event store for anyone to look at.
            }
        }
        cursor.Position = events[^1].Id;
        cursor.UpdatedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        if (accesses.Count > 0)
            await sp.GetRequiredService<PrivacyProcessor>().ProcessAsync(accesses, ct);
        return events.Count;
    }

    private static async Task<AlertCursor> CursorAsync(VigieDbContext db, string name, CancellationToken ct)
    {
        var cursor = await db.AlertCursors.SingleOrDefaultAsync(c => c.Source == name, ct);
        if (cursor is null)
        {
            cursor = new AlertCursor { Source = name, Position = 0, UpdatedAt = DateTime.UtcNow };
            db.AlertCursors.Add(cursor);
        }
        return cursor;
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Alerting pass failed ({ExceptionType}); retrying")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
