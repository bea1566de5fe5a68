using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Incidents;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Demo;
using Vigie.Server.Tests.Support;

namespace Vigie.Response.Tests.Incidents;

public sealed class ResponseDemoTests
{
    [SkippableFact]
    public async Task The_demo_shows_privacy_and_security_alerts_and_two_incidents_once()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.WithServicesAsync(async sp =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            foreach (var (code, name, type, parent) in DemoContent.Establishments)
                await registry.AddAsync(new(code, name, type, parent), new Actor("demo"));
            return true;
        });
        await ResponseDemo.LoadAsync(host.Services, CancellationToken.None);
        await ResponseDemo.LoadAsync(host.Services, CancellationToken.None);

        var (alerts, incidents) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            return (await db.Alerts.AsNoTracking().ToListAsync(), await db.Incidents.AsNoTracking().OrderBy(i => i.Id).ToListAsync());
        });
        alerts.Count(a => a.Category == AlertCategory.Privacy).ShouldBeGreaterThan(5);
        alerts.Count(a => a.Category == AlertCategory.Security).ShouldBe(4);
        incidents.Select(i => i.Type).ShouldBe([IncidentType.Ransomware, IncidentType.InsiderSnooping]);
        incidents[0].QualifiedAt.ShouldNotBeNull();
        var clocks = await host.WithServicesAsync(async sp =>
        {
            var incident = await sp.GetRequiredService<IncidentDesk>().FindAsync(incidents[0].Id, IncidentVisibility.Everything, details: true);
            return sp.GetRequiredService<IncidentQualifier>().Clocks(incident);
        });
        clocks.Select(c => c.Regulation).ShouldBe([RegulatoryClocks.Loi0520, RegulatoryClocks.Loi0908]);
        clocks.ShouldAllBe(c => c.Status == "running");
    }
}
