using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigie.Core.Data;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class RulesAndLedgerTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task An_analyst_searches_the_rules_and_disables_then_enables_one()
    {
        var rules = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().DetectionRules.CountAsync());
        Skip.If(rules == 0, "no Sigma rule is loaded (../shared/data/sigma is missing)");
        var page = await fixture.PageAsync("analyst", "en");

        await page.GotoAsync("/rules?search=bitsadmin");
        int.Parse(await page.GetByTestId("rules-total").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        var row = page.Locator("tbody tr").First;
        var title = await row.Locator("td a").First.InnerTextAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable " + title }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rule disabled");
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = title }).First).ToContainTextAsync("disabled");
        await BrowserFixture.ScreenshotAsync(page, "rules");

        await page.Locator("tbody tr", new() { HasText = title }).First.GetByRole(AriaRole.Button, new() { Name = "Enable " + title }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rule enabled");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_rule_typed_in_the_console_is_tested_against_stored_events_without_being_saved()
    {
        var marker = "ruletest-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.AddEventsAsync("CHU-RABAT", 3, i => new()
        {
            ["labels.test"] = marker, ["event.dataset"] = "console.test", ["event.action"] = i < 2 ? "usb_mounted" : "usb_removed", ["host.name"] = "pc-radio-04",
        });
        var page = await fixture.PageAsync("rssi.chu", "en");
        await page.GotoAsync("/rules/test");
        await page.GetByLabel("Sigma rule (YAML)").FillAsync($$"""
            title: USB storage mounted on a radiology workstation
            id: 4b8d2f16-0c3a-4d7e-9a51-6f2e8c1b7a90
            status: experimental
            logsource:
              product: console-test
            detection:
              selection:
                labels.test: {{marker}}
                event.action: usb_mounted
              condition: selection
            level: medium
            """);
        await page.GetByLabel("From").FillAsync("now-1h");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the test" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-test-matches")).ToHaveTextAsync("2");
        (await page.Locator("section.card tbody tr").CountAsync()).ShouldBe(2);
        (await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().DetectionRules.AnyAsync(r => r.Id == "4b8d2f16-0c3a-4d7e-9a51-6f2e8c1b7a90"))).ShouldBeFalse();

        await page.GetByLabel("Sigma rule (YAML)").FillAsync("title: broken\ndetection:\n  condition: selection\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the test" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("does not load");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task The_audit_ledger_page_says_the_chain_is_intact_in_French()
    {
        var page = await fixture.PageAsync("admin");
        await page.GotoAsync("/admin/ledger");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vérifier tout le registre maintenant" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("ledger-verdict")).ToHaveTextAsync("Vérifié : la chaîne est intacte");
        (await page.GetByTestId("ledger-verdict").GetAttributeAsync("class"))!.ShouldContain("intact");
        await BrowserFixture.ScreenshotAsync(page, "ledger");
        await page.Context.CloseAsync();
    }
}
