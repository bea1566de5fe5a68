using Microsoft.Playwright;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class AdministrationPageTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task An_administrator_adds_an_establishment_a_user_and_a_collector_in_English()
    {
        var page = await fixture.PageAsync("admin", "en");

        await page.GotoAsync("/admin/establishments");
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync("HP-SALE");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Hôpital provincial de Salé");
        await page.GetByLabel("Type").SelectOptionAsync("hospital");
        await page.GetByLabel("Parent").SelectOptionAsync("REG-RSK");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("HP-SALE");
        (await page.Locator("tbody td:first-child").AllInnerTextsAsync()).ShouldContain("HP-SALE");

        // The same code again is refused with the reason, and nothing else changes.
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync("HP-SALE");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Again");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("already exists");
        await BrowserFixture.ScreenshotAsync(page, "establishments");

        await page.GotoAsync("/admin/users");
        await page.Locator("#username").FillAsync("inf.bennani");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Salma Bennani");
        await page.Locator("#password").FillAsync("a-strong-pass-2026");
        await page.GetByLabel("Role").SelectOptionAsync("clinician");
        await page.Locator("#establishment").SelectOptionAsync("HP-SALE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        (await page.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("inf.bennani");

        await page.GetByRole(AriaRole.Button, new() { Name = "Disable inf.bennani" }).ClickAsync();
        (await page.Locator("tr", new() { HasText = "inf.bennani" }).InnerTextAsync()).ShouldContain("disabled");
        await BrowserFixture.ScreenshotAsync(page, "users");

        await page.GotoAsync("/admin/collectors");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("syslog-sale");
        await page.Locator("#establishment").SelectOptionAsync("HP-SALE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        var key = await page.Locator("[data-testid=issued-key]").InnerTextAsync();
        key.ShouldStartWith("vgk_");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke syslog-sale" }).ClickAsync();
        (await page.Locator("tr", new() { HasText = "syslog-sale" }).InnerTextAsync()).ShouldContain("revoked");
        (await page.ContentAsync()).ShouldNotContain(key);
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_national_analyst_narrows_the_console_to_one_region_with_the_switcher()
    {
        var page = await fixture.PageAsync("analyst");
        await page.GotoAsync("/admin/establishments");
        (await page.Locator("tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(8);

        await ChooseAsync(page, "REG-CS");
        // Expect retries until the page that came back shows the narrowed list.
        await Assertions.Expect(page.Locator("tbody td:first-child")).ToHaveTextAsync(["REG-CS", "CLIN-ANFA", "CS-HAY-HASSANI", "LAB-CASA"], new() { Timeout = 20_000 });

        await ChooseAsync(page, "");
        await Assertions.Expect(page.Locator("tbody td:first-child").First).ToHaveTextAsync("MA-NAT", new() { Timeout = 20_000 });
        (await page.Locator("tbody tr").CountAsync()).ShouldBeGreaterThanOrEqualTo(8);
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task An_administrator_changes_the_roles_of_a_user_in_French()
    {
        await fixture.Host.AddUserAsync("agent.roles", Vigie.Core.Identity.Roles.Clinician, "CLIN-ANFA");
        var page = await fixture.PageAsync("admin");
        await page.GotoAsync("/admin/users");
        await page.Locator("#roles-username").FillAsync("agent.roles");
        await page.Locator("fieldset.roles").GetByLabel("security-officer").CheckAsync();
        await page.Locator("fieldset.roles").GetByLabel("dpo").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Modifier les rôles" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rôles modifiés : agent.roles (dpo, security-officer)");
        (await page.Locator("tr", new() { HasText = "agent.roles" }).First.InnerTextAsync()).ShouldContain("dpo, security-officer");
        await page.Context.CloseAsync();
    }

    /// <summary>Picks an establishment in the switcher, which submits itself, and waits for the page to come back.</summary>
    private static async Task ChooseAsync(IPage page, string code)
    {
        if (code.Length == 0)
            await page.GetByLabel("Établissement").SelectOptionAsync(new SelectOptionValue { Value = "" });
        else
            await page.GetByLabel("Établissement").SelectOptionAsync(code);
        await page.WaitForLoadStateAsync(LoadState.Load);
    }
}
