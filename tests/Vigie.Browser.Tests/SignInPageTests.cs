using Microsoft.Playwright;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInPageTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task A_security_officer_signs_in_and_sees_the_overview_of_their_region_in_French()
    {
        var page = await fixture.PageAsync();
        await page.GotoAsync("/");
        page.Url.ShouldContain("/login");
        await BrowserFixture.ScreenshotAsync(page, "sign-in");

        await page.GetByLabel("Identifiant").FillAsync("rssi.cs");
        await page.GetByLabel("Mot de passe").FillAsync(Vigie.Server.Demo.DemoContent.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connexion" }).ClickAsync();

        await page.WaitForURLAsync(url => url.EndsWith('/'));
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Vue d'ensemble");
        (await page.Locator("[data-testid=establishments-count]").InnerTextAsync()).ShouldBe("4");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_wrong_password_is_announced_and_the_language_switch_turns_the_page_to_English()
    {
        var page = await fixture.PageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Identifiant").FillAsync("rssi.cs");
        await page.GetByLabel("Mot de passe").FillAsync("wrong password here");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connexion" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("Identifiant ou mot de passe incorrect");

        await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
        await page.GetByLabel("Username").WaitForAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Sign in");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("en");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_security_officer_cannot_reach_another_regions_data_by_any_URL()
    {
        var page = await fixture.PageAsync("rssi.chu");
        await page.GotoAsync("/admin/establishments");
        var codes = await page.Locator("tbody td:first-child").AllInnerTextsAsync();
        codes.ShouldBe(["CHU-RABAT"]);
        (await page.ContentAsync()).ShouldNotContain("CLIN-ANFA");

        var users = await page.GotoAsync("/admin/users");
        (await page.ContentAsync()).ShouldNotContain("rssi.cs");
        users!.Status.ShouldBe(200);
        await page.Context.CloseAsync();
    }
}
