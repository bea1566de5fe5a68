using Vigie.Core.Detection;

namespace Vigie.Server.Ingestion;

/// <summary>Runs detection on the stream for as long as the server runs.</summary>
internal sealed class DetectionService(StreamDetector detector, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration.GetValue<bool?>("detection") == false)
            return;
        await Task.Yield();
        await detector.RunAsync(stoppingToken);
    }
}
