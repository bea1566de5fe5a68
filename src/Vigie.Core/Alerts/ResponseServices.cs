using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Incidents;
using Vigie.Core.Privacy;

namespace Vigie.Core.Alerts;

/// <summary>
/// Registers alerting, incident response and privacy monitoring. Configuration keys (flags, <c>VIGIE_*</c>
/// variables or the JSON file): <c>alert_group_window_minutes</c> (60), <c>attack_data</c> (the ATT&amp;CK
/// technique list), <c>declaration_target_hours</c> (24), <c>nis2</c> (false), <c>evidence_max_bytes</c> (25 MiB).
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
        services.AddScoped<IDetectionSource, StoredDetectionSource>();

        services.AddSingleton(new IncidentOptions
        {
            DeclarationTarget = TimeSpan.FromHours(Math.Clamp(configuration.GetValue<double?>("declaration_target_hours") ?? 24, 1, 24 * 30)),
            Nis2 = configuration.GetValue<bool?>("nis2") ?? false,
            EvidenceMaxBytes = Math.Clamp(configuration.GetValue<long?>("evidence_max_bytes") ?? 25 * 1024 * 1024, 1024, 512L * 1024 * 1024),
        });
        services.AddScoped<PlaybookLibrary>();
        services.AddScoped<IncidentDesk>();
        services.AddScoped<IncidentQualifier>();
        services.AddScoped<IncidentQueue>();
        services.AddScoped<IncidentMetrics>();
        services.AddScoped<EvidenceLocker>();

        services.AddSingleton<PrivacyMonitorHost>();
        services.AddScoped<PrivacyProcessor>();
        services.AddScoped<PrivacyInvestigation>();
        return services;
    }
}
