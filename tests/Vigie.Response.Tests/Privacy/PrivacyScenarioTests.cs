using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.Privacy;
using Vigie.Core.SecurityEvents;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Xunit.Abstractions;

namespace Vigie.Response.Tests.Privacy;

/// <summary>
/// A simulated hospital over two weeks with planted inappropriate accesses, through the whole path: privacy
/// rules and baselines, alerts in the store. Every planted case must raise an alert; normal traffic few.
/// </summary>
public sealed class PrivacyScenarioTests(ITestOutputHelper output)
{
    public sealed record Outcome(int Events, int Cases, int CasesDetected, int Alerts, int TrueAlerts, int Days, IReadOnlyList<string> Missed,
        IReadOnlyDictionary<string, (int Alerts, int False)> ByRule)
    {
        public double Recall => (double)CasesDetected / Cases;
        public double Precision => Alerts == 0 ? 1 : (double)TrueAlerts / Alerts;
        public double FalseAlertsPerDay => (double)(Alerts - TrueAlerts) / Days;
    }

    public static async Task<Outcome> RunAsync(string provider, HospitalSimulation.Options options)
    {
        var sim = HospitalSimulation.Run(options);
        var end = options.Start.AddDays(options.Days + 1);
        await using var services = await ServiceScope.CreateAsync(provider, new FixedTime(new DateTimeOffset(end)));
        var establishments = await services.RunAsync(async sp =>
        {
            var registry = sp.GetRequiredService<EstablishmentRegistry>();
            var chu = await registry.AddAsync(new(options.Establishment, "CHU simulé", "chu", "REG-A"), new Actor("test"));
            var other = await registry.AddAsync(new(options.OtherEstablishment, "Hôpital simulé", "hospital", "REG-A"), new Actor("test"));
            return new Dictionary<string, Guid> { [chu.Code] = chu.Id, [other.Code] = other.Id };
        });
        var monitor = new PrivacyMonitor(code => code is not null && establishments.TryGetValue(code, out var id) ? id : null, _ => "UTC");
        var detections = new List<IncomingDetection>();
        foreach (var e in sim.Events)
            detections.AddRange(monitor.Process(RecordAccess.Parse(e.Json, e.Id)));
        await services.RunAsync(async sp =>
        {
            foreach (var chunk in detections.Chunk(2000))
                await sp.GetRequiredService<AlertBuilder>().AddAsync(chunk);
            return true;
        });
        var alerts = await services.RunAsync(sp => sp.GetRequiredService<VigieDbContext>().Alerts.AsNoTracking().Include(a => a.Detections).ToListAsync());

        var caseOf = sim.Events.Where(e => e.Case is not null).ToDictionary(e => e.Id, e => e.Case!.Value);
        var detected = new HashSet<int>();
        var trueAlerts = 0;
        var byRule = new Dictionary<string, (int Alerts, int False)>();
        foreach (var alert in alerts)
        {
            var cases = alert.Detections.Where(d => d.EventRef is not null && caseOf.ContainsKey(d.EventRef)).Select(d => caseOf[d.EventRef!]).ToList();
            detected.UnionWith(cases);
            var isTrue = cases.Count > 0;
            if (isTrue)
                trueAlerts++;
            (int n, int f) = byRule.GetValueOrDefault(alert.Title);
            byRule[alert.Title] = (n + 1, f + (isTrue ? 0 : 1));
        }
        var missed = sim.Cases.Where(c => !detected.Contains(c.Id)).Select(c => $"{c.Kind} by {c.User} at {c.Time:o}").ToList();
        return new Outcome(sim.Events.Count, sim.Cases.Count, detected.Count, alerts.Count, trueAlerts, options.Days, missed, byRule);
    }

    private void Report(Outcome o, int seed)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {o.Events} accesses over {o.Days} days, {o.Cases} planted cases, {o.CasesDetected} detected (recall {o.Recall:P1}); {o.Alerts} alerts, {o.TrueAlerts} on planted cases (precision {o.Precision:P1}), {o.FalseAlertsPerDay:0.0} false alerts a day"));
        foreach (var (rule, (alerts, falses)) in o.ByRule.OrderBy(r => r.Key, StringComparer.Ordinal))
            output.WriteLine($"  {alerts,4} alerts, {falses,3} false: {rule}");
        foreach (var m in o.Missed)
            output.WriteLine("  missed: " + m);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Every_planted_inappropriate_access_raises_an_alert_and_normal_traffic_few(string provider)
    {
        var outcome = await RunAsync(provider, new HospitalSimulation.Options { Seed = 7 });
        Report(outcome, 7);
        outcome.Cases.ShouldBe(HospitalSimulation.Kinds.Count * 2);
        outcome.Missed.ShouldBeEmpty();
        outcome.Recall.ShouldBe(1.0);
        // "Few for the normal traffic": about 70 staff reading 20,000 records a week make at most a handful of false alerts a day.
        outcome.FalseAlertsPerDay.ShouldBeLessThan(3.0);
    }

    [SkippableTheory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(2026)]
    public async Task Other_hospitals_of_the_simulation_give_the_same_recall(int seed)
    {
        var outcome = await RunAsync("sqlite", new HospitalSimulation.Options { Seed = seed });
        Report(outcome, seed);
        outcome.Missed.ShouldBeEmpty();
        outcome.FalseAlertsPerDay.ShouldBeLessThan(3.0);
    }
}
