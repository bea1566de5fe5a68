using System.Net;
using System.Net.Http.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Security;

/// <summary>
/// An account linked to a patient record reads that whole record; an account linked to a practitioner shares that
/// practitioner's care relationships. A regional administrator must not be able to make either kind of key to
/// another establishment's records.
/// </summary>
[Collection(SecurityWorldCollection.Name)]
public sealed class AccountLinkScopeTests(SecurityWorlds worlds)
{
    private static object Account(string username, string role, string establishment, string? patient = null, string? practitioner = null) => new
    {
        username, password = VigieTestHost.Password, roles = new[] { role }, establishment, patient_id = patient, practitioner_id = practitioner,
        profession = role == "clinician" ? "physician" : null,
    };

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_regional_administrator_links_accounts_only_to_records_and_practitioners_of_their_region(string provider)
    {
        var w = await worlds.GetAsync(provider);
        var suffix = provider[..2];
        foreach (var me in new[] { w.A, w.B })
        {
            var them = w.Other(me);
            using var admin = await w.ClientAsync(me.Admin);
            var failures = new List<string>();
            foreach (var (what, account) in new (string, object)[]
                     {
                         ("a patient account on the other establishment's patient", Account($"key.patient.{me.Name}.{suffix}", "patient", me.Code, patient: them.PatientId)),
                         ("a clinician account as the other establishment's practitioner", Account($"key.doctor.{me.Name}.{suffix}", "clinician", me.Code, practitioner: them.PractitionerId)),
                         ("a patient account on a record that does not exist", Account($"key.nobody.{me.Name}.{suffix}", "patient", me.Code, patient: Guid.NewGuid().ToString())),
                     })
            {
                var (status, body) = await (await admin.PostAsJsonAsync("/api/v1/users/", account)).ReadAllAsync();
                if (status != HttpStatusCode.Forbidden)
                    failures.Add($"{me.Admin}: creating {what} answered {(int)status}, not 403: {Leaks.Cut(body)}");
                failures.Check(body, them, $"{me.Admin}: creating {what}", them.PatientId, them.PractitionerId);
            }
            failures.ShouldBeNone();

            // Their own establishment's records and practitioners are theirs to link.
            var own = await admin.PostAsJsonAsync("/api/v1/users/", Account($"own.patient.{me.Name}.{suffix}", "patient", me.Code, patient: me.LonePatientId));
            own.StatusCode.ShouldBe(HttpStatusCode.Created, await own.Content.ReadAsStringAsync());
            using var patient = await w.ClientAsync($"own.patient.{me.Name}.{suffix}");
            (await patient.GetAsync($"/fhir/Patient/{me.LonePatientId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await admin.PostAsJsonAsync("/api/v1/users/", Account($"own.doctor.{me.Name}.{suffix}", "clinician", me.Code, practitioner: me.PractitionerId)))
                .StatusCode.ShouldBe(HttpStatusCode.Created);
        }
    }
}
