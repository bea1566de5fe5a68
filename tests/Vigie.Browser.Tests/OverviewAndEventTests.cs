using Microsoft.Playwright;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class OverviewAndEventTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task The_overview_draws_its_charts_and_lists_the_open_incidents_with_their_clocks()
    {
        await fixture.AddEventsAsync("CHU-RABAT", 5, i => new() { ["event.dataset"] = "overview.test", ["event.action"] = "logon", ["user.name"] = $"agent{i}" });
        var page = await fixture.PageAsync("analyst");
        await page.GotoAsync("/");

        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Vue d'ensemble");
        (await page.Locator("svg.chart[role=img]").CountAsync()).ShouldBeGreaterThanOrEqualTo(5);
        (await page.Locator("svg.chart[aria-label='Événements par heure sur les dernières 24 heures'] rect.bar").CountAsync()).ShouldBeGreaterThan(0);
        var incidents = page.Locator("section", new() { HasText = "Incidents ouverts et leurs délais" });
        (await incidents.InnerTextAsync()).ShouldContain("Ransomware on the PACS server of Kenitra");
        (await incidents.Locator(".clock").First.InnerTextAsync()).ShouldMatch("(restants|en retard)");
        int.Parse(await page.GetByTestId("open-alerts").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        ((await page.Locator("svg.ranking").First.TextContentAsync()) ?? "").ShouldContain("CHU-RABAT");
        await BrowserFixture.ScreenshotAsync(page, "overview");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_search_draws_its_histogram_unfolds_an_event_and_pivots_on_a_value()
    {
        var marker = "pivot-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.AddEventsAsync("CHU-RABAT", 4, i => new()
        {
            ["labels.test"] = marker, ["event.dataset"] = "console.test", ["event.action"] = i % 2 == 0 ? "ssh_login" : "sudo",
            ["event.outcome"] = "failure", ["user.name"] = "m.alami", ["source.ip"] = "203.0.113.45",
        });
        var page = await fixture.PageAsync("analyst", "en");

        await page.GotoAsync("/events");
        await page.GetByLabel("Query").FillAsync($"labels.test:{marker} AND event.outcome:failure");
        await page.GetByLabel("From").FillAsync("now-1h");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("events-total")).ToHaveTextAsync("4");
        (await page.Locator("svg.chart rect.bar").CountAsync()).ShouldBeGreaterThan(0);

        var first = page.Locator("table.events > tbody > tr").First;
        await first.Locator("summary").ClickAsync();
        await Assertions.Expect(first.Locator("table.fields")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "events");

        // Narrowing on a value keeps the query and adds the term.
        await first.GetByRole(AriaRole.Link, new() { Name = "Narrow to this value: event.action" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("events-total")).ToHaveTextAsync("2");
        (await page.GetByLabel("Query").InputValueAsync()).ShouldContain("event.action:");

        // A mistake in the query is named, with where it is.
        await page.GetByLabel("Query").FillAsync("user.name:(alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("position");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task An_event_page_shows_every_field_with_patients_only_as_pseudonyms()
    {
        var marker = "patient-" + Guid.NewGuid().ToString("N")[..8];
        var ids = await fixture.AddEventsAsync("CHU-RABAT", 1, _ => new()
        {
            ["labels.test"] = marker, ["event.dataset"] = "vigie.records", ["event.action"] = "read", ["user.name"] = "dr.alaoui",
            ["vigie.patient.id"] = "MA-1234567890", ["vigie.patient.resource_id"] = "8f1c2d",
        });
        var page = await fixture.PageAsync("dpo", "en");
        await page.GotoAsync($"/events/{ids[0]}");
        var fields = await page.Locator("table.fields").InnerTextAsync();
        fields.ShouldContain("vigie.patient.pseudonym");
        fields.ShouldContain("pp_");
        var html = await page.ContentAsync();
        html.ShouldNotContain("MA-1234567890");
        html.ShouldNotContain("8f1c2d");
        await page.Context.CloseAsync();
    }
}
