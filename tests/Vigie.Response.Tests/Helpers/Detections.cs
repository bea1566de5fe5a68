using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Helpers;

/// <summary>Detections as detection would hand them over, built for one test.</summary>
public static class Detections
{
    private static int _next;

    public static readonly DateTime Start = new(2026, 5, 4, 9, 0, 0, DateTimeKind.Utc);

    public static IncomingDetection Make(string ruleId, DateTime time, Guid? establishment, string? user = null, SigmaLevel level = SigmaLevel.Medium,
        IReadOnlyList<string>? tags = null, IDictionary<string, string>? fields = null, string title = "Test rule", string source = "test")
    {
        var all = new Dictionary<string, string>(fields ?? new Dictionary<string, string>());
        if (user is not null)
            all["user.name"] = user;
        return new IncomingDetection
        {
            Source = source,
            Id = $"d{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}",
            RuleId = ruleId,
            Title = title,
            Level = level,
            Tags = tags ?? [],
            EstablishmentId = establishment,
            Time = time,
            Fields = all,
        };
    }

    public static Task<Guid> EstablishmentIdAsync(this VigieTestHost host, string code) =>
        host.WithServicesAsync(async sp => (await sp.GetRequiredService<EstablishmentRegistry>().FindAsync(code))!.Id);

    public static Task<AlertBuilder.Outcome> AddDetectionsAsync(this VigieTestHost host, params IncomingDetection[] detections) =>
        host.WithServicesAsync(sp => sp.GetRequiredService<AlertBuilder>().AddAsync(detections));
}
