using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Privacy;

namespace Vigie.Core.Alerts;

/// <summary>
/// Registers alerting, incident response and privacy monitoring. Configuration keys (flags, <c>VIGIE_*</c>
/// variables or the JSON file): <c>alert_group_window_minutes</c> (60), <c>attack_data</c> (the ATT&amp;CK
/// technique list).
/// </summary>
public static class ResponseServices
{
    public static IServiceCollection AddVigieResponse(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var window = configuration.GetValue<double?>("alert_group_window_minutes") ?? 60;
        services.AddSingleton(new AlertOptions { GroupWindow = TimeSpan.FromMinutes(Math.Clamp(window, 1, 7 * 24 * 60)) });
        var attackData = configuration["attack_data"];
        services.AddSingleton(_ => AttackCatalog.Discover(attackData, dataDirectory));
        services.AddSingleton(_ => PatientPseudonyms.FromKeyFile(Path.Combine(dataDirectory, "keys", "patient-pseudonyms.key")));
        services.AddScoped<AlertTuning>();
        services.AddScoped<AlertBuilder>();
        services.AddScoped<AlertTriage>();
        services.AddScoped<AlertQueue>();
        services.AddScoped<AlertMetrics>();
        return services;
    }
}
