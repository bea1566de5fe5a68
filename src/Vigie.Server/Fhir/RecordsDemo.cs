using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Records;

namespace Vigie.Server.Fhir;

/// <summary>
/// The demo's records: Synthea's sample patients (from ../shared/data/synthea when present) imported at CHU-RABAT,
/// Dr Alaoui linked to one patient's practitioner with an open encounter, the demo patient account linked to that
/// patient, and one access already in the ledger so the patient's access report is not empty. Idempotent.
/// </summary>
internal static class RecordsDemo
{
    public static async Task LoadAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VigieDbContext>();
        if (await db.FhirResources.AnyAsync(r => r.ResourceType == "Patient", ct))
            return;
        var folder = FindSynthea();
        if (folder is null)
        {
            output.WriteLine("Demo records: Synthea sample data not found (../shared/data/synthea/bundles); the demo starts without patient records.");
            return;
        }
        var chu = await db.Establishments.SingleAsync(e => e.Code == "CHU-RABAT", ct);
        var files = RecordImporter.Expand([folder]);
        var reports = await sp.GetRequiredService<RecordImporter>().ImportAsync(files, chu.Id, "demo", ct);
        output.WriteLine($"Demo records: imported {reports.Sum(r => r.Resources)} resources of {reports.Count(r => r.ByType.ContainsKey("Patient"))} Synthea patients into CHU-RABAT.");

        // The first patient bundle's patient and practitioner become Dr Alaoui's patient and Dr Alaoui.
        var store = sp.GetRequiredService<FhirResourceStore>();
        var patient = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Patient").OrderBy(r => r.Id).FirstAsync(ct);
        var encounter = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Encounter" && r.PatientId == patient.Id).FirstAsync(ct);
        using var encounterJson = JsonDocument.Parse(await store.ContentAsync(encounter, ct));
        var practitionerId = encounterJson.RootElement.GetProperty("participant")[0].GetProperty("individual").GetProperty("reference").GetString()!.Split('/')[1];
        var now = DateTime.UtcNow;
        var open = new JsonObject
        {
            ["resourceType"] = "Encounter",
            ["status"] = "in-progress",
            ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "AMB", ["display"] = "ambulatory" },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{patient.Id}" },
            ["participant"] = new JsonArray(new JsonObject { ["individual"] = new JsonObject { ["reference"] = $"Practitioner/{practitionerId}" } }),
            ["period"] = new JsonObject { ["start"] = FhirJson.Instant(now.AddHours(-1)) },
        };
        await StoreTransaction.RunAsync(db, async token =>
        {
            await store.CreateAsync(open, chu.Id, null, token);
            await db.SaveChangesAsync(token);
        }, ct);
        var alaoui = await db.Users.SingleAsync(u => u.Username == "dr.alaoui", ct);
        alaoui.PractitionerId = practitionerId;
        var patientUser = await db.Users.SingleAsync(u => u.Username == "patient", ct);
        patientUser.PatientId = patient.Id;
        await db.SaveChangesAsync(ct);

        // One access by Dr Alaoui, so that the patient's access report shows how an access reads.
        var roles = new[] { Core.Identity.Roles.Clinician };
        var subject = new AccessSubject(alaoui.Id, alaoui.Username, roles, alaoui.EstablishmentId, alaoui.Profession, practitionerId, null, null, alaoui.DisplayName);
        await sp.GetRequiredService<RecordGateway>().ReadAsync(subject,
            new FhirRequestContext("demo", "127.0.0.1", PurposeOfUse.Treatment, null, "http://localhost/fhir"), "Patient", patient.Id, ct);
        output.WriteLine($"Demo records: dr.alaoui cares for Patient/{patient.Id} (open encounter); the 'patient' account is that patient.");
    }

    private static string? FindSynthea()
    {
        var candidates = new List<string> { Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data", "synthea", "bundles") };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data", "synthea", "bundles"));
        }
        return candidates.Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
    }

    public static void PrintWelcome(TextWriter output, string browse)
    {
        output.WriteLine($"FHIR:     TOKEN=$(curl -s -X POST {browse}/api/v1/auth/token -H 'Content-Type: application/json' -d '{{\"username\":\"dr.alaoui\",\"password\":\"{Demo.DemoContent.Password}\"}}' | sed 's/.*access_token\":\"\\([^\"]*\\).*/\\1/')");
        output.WriteLine($"          curl -s {browse}/fhir/Patient?_count=5 -H \"Authorization: Bearer $TOKEN\"   (as 'patient': {browse}/fhir/AuditEvent?patient=<your id>)");
    }
}
