using Microsoft.Playwright;

namespace Vigie.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class LiveUpdateTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task A_failed_sign_in_appears_on_the_open_overview_without_reloading()
    {
        var page = await fixture.PageAsync("analyst");
        await page.GotoAsync("/");
        var rows = page.Locator("tbody[data-live=security-event] tr");
        await rows.First.WaitForAsync();
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        (await fixture.Host.RequestTokenAsync("rssi.chu", "a-wrong-password-typed")).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);

        var fresh = page.Locator("tbody[data-live=security-event] tr.live-new", new() { HasText = "sign-in-failed" });
        await Assertions.Expect(fresh.First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        (await fresh.First.InnerTextAsync()).ShouldContain("rssi.chu");
        navigations.ShouldBe(0);

        // The live row tells the same time, in the reader's zone, as the page rendered by the server does.
        var instant = await fresh.First.Locator("time").GetAttributeAsync("datetime");
        var liveTime = await fresh.First.Locator("time").InnerTextAsync();
        await page.ReloadAsync();
        var rendered = page.Locator("tbody[data-live=security-event] tr", new() { HasText = "sign-in-failed" }).Filter(new() { HasText = "rssi.chu" }).First.Locator("time");
        (await rendered.InnerTextAsync()).ShouldBe(liveTime, $"event at {instant}");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task A_security_officer_receives_no_live_event_of_another_establishment()
    {
        var page = await fixture.PageAsync("rssi.chu");
        await page.GotoAsync("/");
        await page.Locator("tbody[data-live=security-event]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // rssi.cs belongs to region Casablanca-Settat; rssi.chu to the CHU of Rabat.
        await fixture.Host.RequestTokenAsync("rssi.cs", "another-wrong-password");
        await fixture.Host.RequestTokenAsync("rssi.chu", "own-wrong-password-1");

        var own = page.Locator("tr.live-new", new() { HasText = "rssi.chu" });
        await Assertions.Expect(own.First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        (await page.Locator("tr.live-new", new() { HasText = "rssi.cs" }).CountAsync()).ShouldBe(0);
        await page.Context.CloseAsync();
    }
}
