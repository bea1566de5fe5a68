using System.Net.Http.Json;
using System.Text.Json;
using Vigie.Core.Identity;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>
/// The whole chain, as it runs in production: a clinician's FHIR read is decided and written to the audit
/// ledger, the ledger flows into the event store, privacy monitoring examines it, and an alert with its
/// explanation reaches the analysts' queue.
/// </summary>
public sealed class EndToEndPrivacyTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Breaking_the_glass_without_an_emergency_raises_a_privacy_alert_for_the_data_protection_officer(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        await host.AddUserAsync("dpo.national", Roles.Dpo, "NAT");

        // Dr Berrada, of another hospital, has no care relationship with the patient: refused, then breaks the glass.
        var (refused, _) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        refused.ShouldBe(403);
        var (status, _) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", Ward.BreakTheGlass);
        status.ShouldBe(200);

        using var analyst = await host.SignedInAsync("dpo.national");
        JsonElement alert = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var items = (await (await analyst.GetAsync("/api/v1/alerts")).ReadAsync()).GetProperty("items");
            var found = items.EnumerateArray().Where(a => a.GetProperty("title").GetString()!.Contains("glass", StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count > 0)
            {
                alert = found[0];
                break;
            }
            await Task.Delay(500);
        }
        if (alert.ValueKind != JsonValueKind.Object)
        {
            var events = await (await analyst.GetAsync("/api/v1/events?q=event.dataset:vigie.records&limit=5")).Content.ReadAsStringAsync();
            var alerts = await (await analyst.GetAsync("/api/v1/alerts")).Content.ReadAsStringAsync();
            alert.ValueKind.ShouldBe(JsonValueKind.Object, $"no break-the-glass privacy alert reached the queue within 60 s; record events: {events}; alerts: {alerts}");
        }
        alert.GetProperty("establishment").GetString().ShouldBe("HOSP-B");
        var detail = await (await analyst.GetAsync($"/api/v1/alerts/{alert.GetProperty("id").GetInt64()}")).ReadAsync();
        detail.GetRawText().ShouldContain("dr.berrada");
        // The patient is never named in the alert: only pseudonymous identifiers travel.
        detail.GetRawText().ShouldNotContain("Khadija");
    }
}
