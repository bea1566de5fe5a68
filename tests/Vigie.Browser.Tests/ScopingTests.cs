using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigie.Core.Data;

namespace Vigie.Browser.Tests;

/// <summary>A security officer sees their establishments only: another one's alert, incident or event answers 404 by any address.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ScopingTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task A_security_officer_of_Casablanca_reaches_no_alert_incident_or_event_of_Rabat_by_any_address()
    {
        var secret = "Exfiltration depuis le serveur du CHU " + Guid.NewGuid().ToString("N")[..6];
        var alert = await fixture.AddAlertAsync("CHU-RABAT", secret, user: "svc-backup");
        var own = await fixture.AddAlertAsync("CLIN-ANFA", "Alerte de la clinique " + Guid.NewGuid().ToString("N")[..6]);
        var marker = "scope-" + Guid.NewGuid().ToString("N")[..8];
        var events = await fixture.AddEventsAsync("CHU-RABAT", 1, _ => new() { ["labels.test"] = marker, ["message"] = secret });
        var incident = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().Incidents
            .Where(i => i.Title == "Ransomware on the PACS server of Kenitra").Select(i => i.Id).SingleAsync());
        var page = await fixture.PageAsync("rssi.cs");

        foreach (var url in new[] { $"/alerts/{alert}", $"/incidents/{incident}", $"/incidents/{incident}?handler=Draft&regulation=loi-05-20", $"/events/{events[0]}" })
        {
            var response = await page.GotoAsync(url);
            response!.Status.ShouldBe(404, url);
            var html = await page.ContentAsync();
            html.ShouldNotContain(secret, customMessage: url);
            html.ShouldNotContain("Ransomware on the PACS server", customMessage: url);
        }

        // Nor through lists, filters, searches or actions.
        await page.GotoAsync("/alerts?status=all");
        (await page.ContentAsync()).ShouldNotContain(secret);
        await page.GotoAsync("/alerts?establishment=CHU-RABAT");
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("CHU-RABAT");
        await page.GotoAsync($"/events?q=labels.test:{marker}&from=now-1h");
        (await page.GetByTestId("events-total").InnerTextAsync()).ShouldBe("0");
        await page.GotoAsync("/incidents?status=all");
        (await page.ContentAsync()).ShouldNotContain("Ransomware on the PACS server");

        // Acting on the other establishment's alert by posting its id is refused the same way.
        await page.GotoAsync($"/alerts?rule=none");
        var token = await page.Locator("form#bulk input[name=__RequestVerificationToken]").InputValueAsync();
        var post = await page.APIRequest.PostAsync($"/alerts/{alert}?handler=Acknowledge", new() { Form = page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token) });
        post.Status.ShouldBe(404);
        (await post.TextAsync()).ShouldNotContain(secret);

        // Their own establishment's alert opens.
        (await page.GotoAsync($"/alerts/{own}"))!.Status.ShouldBe(200);
        await page.Context.CloseAsync();
    }
}
