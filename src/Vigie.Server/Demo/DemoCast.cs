using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Detection;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Records;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Hosting;

namespace Vigie.Server.Demo;

/// <summary>
/// Who and what the demo's traffic plays with, set up once when the demo loads: collectors for the servers,
/// firewalls and Windows hosts of three establishments, the demo's own correlation rules, the demo clinicians
/// linked to Synthea practitioners with open encounters for the patients they care for, and one patient flagged
/// as a public figure (VIP). Idempotent: loading twice changes nothing.
/// </summary>
internal static class DemoCast
{
    /// <summary>The collectors the traffic is received through: (name, establishment).</summary>
    public static readonly (string Name, string Establishment)[] Collectors =
    [
        ("syslog-chu-rabat", "CHU-RABAT"),
        ("syslog-hr-kenitra", "HR-KENITRA"),
        ("syslog-clin-anfa", "CLIN-ANFA"),
        ("winlog-hr-kenitra", "HR-KENITRA"),
    ];

    /// <summary>Clinicians with their patients: (username, indexes of the patients they have an open encounter with).</summary>
    private static readonly (string Username, int[] Patients)[] Care =
    [
        ("dr.tazi", [1, 2]),
        ("inf.benali", [2]),
        ("dr.kettani", []),
    ];

    /// <summary>The index (in id order) of the patient flagged as a public figure; no one cares for them.</summary>
    public const int VipPatient = 4;

    public static async Task LoadAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VigieDbContext>();
        var actor = new Actor("demo");

        var registry = sp.GetRequiredService<CollectorRegistry>();
        foreach (var (name, establishment) in Collectors)
        {
            if (!await db.Collectors.AnyAsync(c => c.Name == name, ct) && await db.Establishments.AnyAsync(e => e.Code == establishment, ct))
                await registry.AddAsync(name, establishment, actor, AccessScope.Everything, ct);
        }

        if (!await db.DetectionRules.AnyAsync(r => r.Id == DemoRules.GuessedId, ct))
        {
            var folder = Path.Combine(sp.GetRequiredService<VigieHostOptions>().Store.DataDirectory, "demo");
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, DemoRules.FileName);
            await File.WriteAllTextAsync(file, DemoRules.Yaml, ct);
            var imported = await sp.GetRequiredService<RuleLibrary>().ImportAsync([file], ct);
            output.WriteLine($"Demo traffic: {imported.Added} correlation rules of the planted scenarios imported.");
        }

        await LinkClinicPatientsAsync(sp, db, output, ct);
    }

    private static async Task LinkClinicPatientsAsync(IServiceProvider sp, VigieDbContext db, TextWriter output, CancellationToken ct)
    {
        var patients = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Patient" && !r.Deleted).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(ct);
        if (patients.Count <= VipPatient)
            return;
        var clinicians = Care.Select(c => c.Username).ToList();
        var users = await db.Users.Where(u => clinicians.Contains(u.Username)).ToListAsync(ct);
        if (users.Count == 0 || users.All(u => u.PractitionerId is not null))
            return;
        var taken = await db.Users.Where(u => u.PractitionerId != null).Select(u => u.PractitionerId!).ToListAsync(ct);
        var practitioners = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Practitioner" && !r.Deleted && !taken.Contains(r.Id))
            .OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(ct);
        var chu = await db.Establishments.SingleAsync(e => e.Code == "CHU-RABAT", ct);
        var store = sp.GetRequiredService<FhirResourceStore>();
        var now = DateTime.UtcNow;
        var next = 0;
        foreach (var (username, cared) in Care)
        {
            var user = users.SingleOrDefault(u => u.Username == username);
            if (user is null || user.PractitionerId is not null || next >= practitioners.Count)
                continue;
            user.PractitionerId = practitioners[next++];
            foreach (var index in cared)
            {
                var encounter = new JsonObject
                {
                    ["resourceType"] = "Encounter",
                    ["status"] = "in-progress",
                    ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "IMP", ["display"] = "inpatient encounter" },
                    ["subject"] = new JsonObject { ["reference"] = $"Patient/{patients[index]}" },
                    ["participant"] = new JsonArray(new JsonObject { ["individual"] = new JsonObject { ["reference"] = $"Practitioner/{user.PractitionerId}" } }),
                    ["period"] = new JsonObject { ["start"] = FhirJson.Instant(now.AddHours(-6 - index)) },
                };
                await StoreTransaction.RunAsync(db, async token =>
                {
                    await store.CreateAsync(encounter, chu.Id, null, token);
                    await db.SaveChangesAsync(token);
                }, ct);
            }
        }
        await db.SaveChangesAsync(ct);

        // The last patient becomes a public figure: meta.security CEL, which the master patient index records as VIP.
        var vip = patients[VipPatient];
        var row = await store.FindReadOnlyAsync("Patient", vip, ct);
        if (row is not null)
        {
            var resource = JsonNode.Parse(await store.ContentAsync(row, ct))!.AsObject();
            var meta = resource["meta"] as JsonObject ?? new JsonObject();
            var security = meta["security"] as JsonArray ?? new JsonArray();
            security.Add(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "CEL", ["display"] = "celebrity" });
            meta["security"] = security;
            meta.Remove("versionId");
            meta.Remove("lastUpdated");
            resource["meta"] = meta;
            await StoreTransaction.RunAsync(db, async token =>
            {
                await store.UpdateAsync("Patient", vip, resource, null, row.EstablishmentId, token);
                await db.SaveChangesAsync(token);
            }, ct);
        }
        output.WriteLine("Demo traffic: dr.tazi, inf.benali (CHU-RABAT) and dr.kettani (HR-KENITRA) read records; one patient of the CHU is a public figure.");
    }
}
