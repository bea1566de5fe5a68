using System.Net;
using System.Text.Json;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>A ledger that cannot record a request: nothing is disclosed, and FHIR clients are told so in FHIR.</summary>
public sealed class LedgerDownTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task While_the_ledger_refuses_entries_every_fhir_answer_is_a_transient_operation_outcome_and_no_record_leaves(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        var entriesBefore = await host.LedgerCountAsync();
        await LedgerForgery.RefuseEntriesAsync(host, refuse: true);

        var signedIn = await Answer(ward.Amrani, $"/fhir/Patient/{ward.PatientId}");
        var search = await Answer(ward.Amrani, $"/fhir/Observation?patient={ward.PatientId}");
        // Refused before any endpoint runs (no token): the refusal has its entry too, which the ledger cannot take.
        var anonymous = await Answer(host.Client, $"/fhir/Patient/{ward.PatientId}");
        foreach (var (status, type, retryAfter, body) in new[] { signedIn, search, anonymous })
        {
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
            type.ShouldBe("application/fhir+json", body);
            retryAfter.ShouldNotBeNull();
            using var outcome = JsonDocument.Parse(body);
            outcome.RootElement.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
            outcome.RootElement.GetProperty("issue")[0].GetProperty("code").GetString().ShouldBe("transient");
            body.ShouldNotContain(ward.PatientId, Case.Insensitive, "nothing of the record leaves unrecorded");
        }
        (await host.LedgerCountAsync()).ShouldBe(entriesBefore);

        await LedgerForgery.RefuseEntriesAsync(host, refuse: false);
        var (after, patient) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        after.ShouldBe(200, "the ledger takes entries again: so does the gateway");
        patient.GetProperty("id").GetString().ShouldBe(ward.PatientId);
        (await host.LedgerCountAsync()).ShouldBe(entriesBefore + 1);
    }

    private static async Task<(HttpStatusCode Status, string? Type, string? RetryAfter, string Body)> Answer(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter?.ToString(),
            await response.Content.ReadAsStringAsync());
    }

}
