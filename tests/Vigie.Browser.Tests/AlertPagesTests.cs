using Microsoft.Playwright;
using Vigie.Sigma;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class AlertPagesTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task An_analyst_finds_an_alert_in_the_queue_and_acknowledges_assigns_and_closes_it_in_English()
    {
        var page = await fixture.PageAsync("analyst", "en");
        var title = "Password guessing on the VPN gateway " + Guid.NewGuid().ToString("N")[..6];
        var id = await fixture.AddAlertAsync("CHU-RABAT", title, user: "k.bennani");

        await page.GotoAsync("/alerts?severity=critical,high");
        await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await page.WaitForURLAsync($"**/alerts/{id}");
        (await page.Locator("h1").InnerTextAsync()).ShouldContain(title);
        (await page.Locator("section", new() { HasText = "ATT&CK techniques" }).InnerTextAsync()).ShouldContain("T1110.001");
        (await page.Locator("table.fields").First.InnerTextAsync()).ShouldContain("k.bennani");

        await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("acknowledged");

        await page.Locator("#assignee").FillAsync("analyst");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-assignee")).ToHaveTextAsync("analyst");
        await BrowserFixture.ScreenshotAsync(page, "alert");

        await page.Locator("#resolution").SelectOptionAsync("false_positive");
        await page.Locator("#close-reason").FillAsync("VPN test account of the IT team");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-status")).ToHaveTextAsync("closed");
        (await page.Locator("section", new() { HasText = "History" }).Last.InnerTextAsync()).ShouldContain("VPN test account of the IT team");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Selected_alerts_are_acknowledged_together_from_the_queue_in_French()
    {
        var rule = "test-bulk-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.AddAlertAsync("CLIN-ANFA", "Connexion depuis un pays inhabituel", user: "s.amrani", ruleId: rule);
        await fixture.AddAlertAsync("CLIN-ANFA", "Connexion depuis un pays inhabituel", user: "m.tazi", ruleId: rule);
        var page = await fixture.PageAsync("rssi.cs");

        await page.GotoAsync($"/alerts?rule={rule}");
        (await page.Locator("table.queue tbody tr").CountAsync()).ShouldBe(2);
        await page.GetByLabel("Tout sélectionner").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Prendre en compte" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Prise en compte : 2");
        (await page.Locator("table.queue tbody td .status").AllInnerTextsAsync()).ShouldAllBe(s => s == "prise en compte");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_new_alert_appears_in_the_open_queue_without_reloading_and_never_in_another_establishments()
    {
        var analyst = await fixture.PageAsync("analyst");
        var officer = await fixture.PageAsync("rssi.cs");
        await analyst.GotoAsync("/alerts");
        await officer.GotoAsync("/alerts");
        await analyst.Locator("tbody[data-live=alert]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await officer.Locator("tbody[data-live=alert]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var navigations = 0;
        analyst.FrameNavigated += (_, _) => navigations++;

        // CHU-RABAT is in region Rabat-Salé-Kénitra; rssi.cs sees Casablanca-Settat only.
        var title = "Rançongiciel : extension .lockbit sur le serveur de fichiers " + Guid.NewGuid().ToString("N")[..6];
        await fixture.AddAlertAsync("CHU-RABAT", title, level: SigmaLevel.Critical, tags: ["attack.impact", "attack.t1486"]);

        var row = analyst.Locator("tbody[data-live=alert] tr.live-new", new() { HasText = title });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        (await row.InnerTextAsync()).ShouldContain("CHU-RABAT");
        (await row.Locator(".badge").InnerTextAsync()).ShouldBe("critique");
        await BrowserFixture.ScreenshotAsync(analyst, "alerts", fullPage: false);
        navigations.ShouldBe(0);

        // The officer's queue stays as it was: a second alert, of their own region, shows that their stream is alive.
        var own = "Connexions VPN refusées en rafale " + Guid.NewGuid().ToString("N")[..6];
        await fixture.AddAlertAsync("LAB-CASA", own);
        await Assertions.Expect(officer.Locator("tr.live-new", new() { HasText = own })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        (await officer.ContentAsync()).ShouldNotContain(title);
        await analyst.Context.CloseAsync();
        await officer.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Escalating_an_alert_opens_an_incident_with_the_playbooks_tasks()
    {
        var title = "Ransom note written on the PACS server " + Guid.NewGuid().ToString("N")[..6];
        var id = await fixture.AddAlertAsync("HR-KENITRA", title, level: SigmaLevel.Critical, tags: ["attack.impact", "attack.t1486"]);
        var page = await fixture.PageAsync("analyst", "en");

        await page.GotoAsync($"/alerts/{id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Escalate to an incident" }).ClickAsync();
        await page.WaitForURLAsync(BrowserFixture.IncidentUrl());
        (await page.Locator("h1").InnerTextAsync()).ShouldContain(title);
        (await page.Locator("section", new() { HasText = "Tasks" }).Locator("tbody tr").CountAsync()).ShouldBeGreaterThan(3);
        (await page.Locator("section", new() { HasText = "Alerts" }).Last.InnerTextAsync()).ShouldContain(title);
        await page.Context.CloseAsync();
    }
}
