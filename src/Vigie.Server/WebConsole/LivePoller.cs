namespace Vigie.Server.WebConsole;

/// <summary>Polls every live source once a second, while at least one console listens, and publishes what is new.</summary>
internal sealed partial class LivePoller(LiveFeed feed, IEnumerable<ILiveSource> sources, IServiceScopeFactory scopes, ILogger<LivePoller> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Prime every source's cursor, so a console opened later sees only what happens from then on.
        await PollAllAsync(publish: false, stoppingToken);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await PollAllAsync(publish: feed.Subscribers > 0, stoppingToken);
    }

    private async Task PollAllAsync(bool publish, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        foreach (var source in sources)
        {
            try
            {
                var messages = await source.PollAsync(scope.ServiceProvider, ct);
                if (publish)
                {
                    foreach (var message in messages)
                        feed.Publish(message);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(logger, source.GetType().Name, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Live source {Source} failed to poll: {ExceptionType}")]
    private static partial void LogPollFailed(ILogger logger, string source, string exceptionType);
}
