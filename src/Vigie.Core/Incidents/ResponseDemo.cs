using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Privacy;
using Vigie.Core.SecurityEvents;
using Vigie.Sigma;

namespace Vigie.Core.Incidents;

/// <summary>
/// What <c>vigie demo</c> shows of response: nine days of a simulated hospital's record traffic at CHU-RABAT
/// through privacy monitoring (with planted inappropriate accesses), a few security alerts, and two incidents —
/// a qualified ransomware case whose clocks run, and an insider-snooping case from a privacy alert. Loaded once.
/// </summary>
public static class ResponseDemo
{
    public const string Hospital = "CHU-RABAT";
    public const string OtherHospital = "HR-KENITRA";

    public static async Task LoadAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VigieDbContext>();
        if (await db.Incidents.AnyAsync(ct) || await db.PrivacyAccesses.AnyAsync(ct))
            return;
        var establishments = await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Code, e => e.Id, ct);
        if (!establishments.ContainsKey(Hospital) || !establishments.ContainsKey(OtherHospital))
            return;

        var days = 9;
        var sim = HospitalSimulation.Run(new HospitalSimulation.Options
        {
            Seed = 2026,
            Start = DateTime.UtcNow.Date.AddDays(-days + 1),
            Days = days,
            LearningDays = 7,
            Rounds = 1,
            Establishment = Hospital,
            OtherEstablishment = OtherHospital,
            Patients = 2000,
        });
        var now = DateTime.UtcNow;
        var accesses = sim.Events.Where(e => e.Time <= now).Select(e => RecordAccess.Parse(e.Json, e.Id)).ToList();
        await sp.GetRequiredService<PrivacyProcessor>().ProcessAsync(accesses, ct);

        var actor = new Actor("demo");
        var t = now.AddHours(-5);
        IncomingDetection D(string id, string rule, string title, SigmaLevel level, string establishment, DateTime time, string[] tags, Dictionary<string, string> fields) => new()
        {
            Source = "demo",
            Id = id,
            RuleId = rule,
            Title = title,
            Level = level,
            Tags = tags,
            EstablishmentId = establishments[establishment],
            Time = time,
            Fields = fields,
        };
        var ransom = new Dictionary<string, string>
        {
            ["host.name"] = "srv-pacs-01", ["user.name"] = "svc-pacs", ["source.ip"] = "10.42.8.15",
            ["file.hash.sha256"] = "5f2b7e3c9a1d4e6f8b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a", ["vigie.asset.criticality"] = "critical",
        };
        await sp.GetRequiredService<AlertBuilder>().AddAsync(
        [
            D("demo-1", "vigie-demo-ransom-note", "Ransom note written on a file server", SigmaLevel.High, OtherHospital, t, ["attack.impact", "attack.t1486"], ransom),
            D("demo-2", "vigie-demo-shadow-copies", "Volume shadow copies deleted", SigmaLevel.High, OtherHospital, t.AddMinutes(-12), ["attack.impact", "attack.t1490"], ransom),
            D("demo-3", "vigie-demo-spray", "Password spraying against the VPN", SigmaLevel.Medium, "CLIN-ANFA", t.AddHours(-2), ["attack.credential-access", "attack.t1110.003"],
                new() { ["source.ip"] = "203.0.113.77", ["user.name"] = "reception" }),
            D("demo-4", "vigie-demo-spray", "Password spraying against the VPN", SigmaLevel.Medium, "CLIN-ANFA", t.AddHours(-2).AddMinutes(3), ["attack.credential-access", "attack.t1110.003"],
                new() { ["source.ip"] = "203.0.113.77", ["user.name"] = "reception" }),
            D("demo-5", "vigie-demo-phish-click", "Link of a known phishing campaign opened", SigmaLevel.Medium, Hospital, t.AddHours(-1), ["attack.initial-access", "attack.t1566.002"],
                new() { ["user.name"] = "secretariat.cardio", ["url.full"] = "https://portail-sante-verification.example.net/login", ["host.name"] = "pc-cardio-07" }),
        ], ct);

        var desk = sp.GetRequiredService<IncidentDesk>();
        var ransomAlerts = await db.Alerts.Where(a => a.RuleId == "vigie-demo-ransom-note" || a.RuleId == "vigie-demo-shadow-copies").Select(a => a.Id).ToListAsync(ct);
        var incident = await desk.CreateAsync(new IncidentDesk.NewIncident("Ransomware on the PACS server of Kenitra", ransomAlerts, "critical"), actor, IncidentVisibility.Everything, ct);
        await sp.GetRequiredService<IncidentQualifier>().QualifyAsync(incident.Id, new Qualification
        {
            PersonalData = true,
            PeopleAffected = 2300,
            RecordsAffected = 41000,
            Nature = "Chiffrement du serveur d'imagerie (PACS) et suspicion d'exfiltration d'examens.",
            CategoriesOfPeople = ["patients"],
            CategoriesOfData = ["imagerie médicale", "comptes rendus", "identité"],
            Consequences = "Indisponibilité de l'imagerie; divulgation possible de données de santé.",
            Measures = "Serveur isolé; procédures dégradées activées en radiologie.",
            Contact = "DPO du Hôpital régional de Kénitra",
        }, actor, IncidentVisibility.Everything, ct);

        var snooping = await db.Alerts.Where(a => a.Category == AlertCategory.Privacy && a.IncidentId == null)
            .OrderByDescending(a => a.RiskScore).Select(a => a.Id).FirstOrDefaultAsync(ct);
        if (snooping != 0)
            await desk.CreateAsync(new IncidentDesk.NewIncident("Consultation de dossiers sans lien de soins", [snooping]), actor, IncidentVisibility.Everything, ct);
    }
}
