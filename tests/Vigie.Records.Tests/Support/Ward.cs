using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests.Support;

/// <summary>
/// A small ward: at CHU-A, Dr Amrani (practitioner, user dr.amrani) admits patient Khadija Amrani with an open
/// emergency encounter; Dr Berrada works at HOSP-B with no link to her; a patient account is linked to her record.
/// </summary>
public sealed class Ward
{
    public required string PatientId { get; init; }
    public required string PractitionerId { get; init; }
    public required string EncounterId { get; init; }
    public required HttpClient Amrani { get; init; }
    public required HttpClient Berrada { get; init; }

    public static readonly Dictionary<string, string> BreakTheGlass = new() { ["X-Purpose-Of-Use"] = "BTG", ["X-Break-Glass-Reason"] = "unconscious patient in the emergency room" };

    public static async Task<Ward> AdmitAsync(VigieTestHost host, string patientSecurity = "")
    {
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("registrar", Roles.Clinician, "CHU-A");
        var registrar = await host.FhirClientAsync("registrar");
        var (status, practitioner) = await registrar.SendAsync(HttpMethod.Post, "/fhir/Practitioner",
            """{"resourceType":"Practitioner","name":[{"family":"Amrani","given":["Youssef"]}],"address":[{"line":["12 rue des Orangers"],"city":"Rabat","postalCode":"10000"}]}""");
        status.ShouldBe(201, practitioner.Issues());
        var practitionerId = practitioner.GetProperty("id").GetString()!;
        var bundle = $$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:6b1f3c8e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient",{{{patientSecurity}}}"name":[{"family":"Amrani","given":["Khadija"]}],"gender":"female","birthDate":"1961-07-02","address":[{"line":["12 rue des Orangers"],"city":"Rabat","postalCode":"10000"}]},"request":{"method":"POST","url":"Patient"}},
              {"fullUrl":"urn:uuid:6b1f3c8e-0000-4000-8000-000000000002","resource":{"resourceType":"Encounter","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"subject":{"reference":"urn:uuid:6b1f3c8e-0000-4000-8000-000000000001"},"participant":[{"individual":{"reference":"Practitioner/{{{practitionerId}}}"}}],"period":{"start":"2026-11-20T08:00:00Z"}},"request":{"method":"POST","url":"Encounter"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"urn:uuid:6b1f3c8e-0000-4000-8000-000000000001"},"effectiveDateTime":"2026-11-20T08:05:00Z","valueQuantity":{"value":88,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}}
            ]}
            """;
        (status, var response) = await registrar.SendAsync(HttpMethod.Post, "/fhir", bundle);
        status.ShouldBe(200, response.Issues());
        var locations = response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("location").GetString()!.Split('/')).ToList();
        await host.AddUserAsync("dr.amrani", Roles.Clinician, "CHU-A", practitioner: practitionerId, displayName: "Dr Youssef Amrani");
        await host.AddUserAsync("dr.berrada", Roles.Clinician, "HOSP-B", displayName: "Dr Salim Berrada");
        await host.AddUserAsync("khadija", Roles.Patient, "CHU-A", patient: locations[0][1]);
        return new Ward
        {
            PatientId = locations[0][1],
            EncounterId = locations[1][1],
            PractitionerId = practitionerId,
            Amrani = await host.FhirClientAsync("dr.amrani"),
            Berrada = await host.FhirClientAsync("dr.berrada"),
        };
    }

    public static string Extension(JsonElement outcome, string url) =>
        outcome.GetProperty("extension").EnumerateArray().First(e => e.GetProperty("url").GetString() == url).GetProperty("valueString").GetString()!;
}
