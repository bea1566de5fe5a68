using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vigie.Server.Demo;
using Vigie.Server.Tests.Support;

namespace Vigie.Browser.Tests;

/// <summary>
/// The real <c>vigie demo</c>: within a minute of answering, its traffic has raised alerts of every planted scenario,
/// an incident runs its regulatory clock, and a privacy investigation has something to show; the console shows them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DemoTrafficTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string VipRule = "5e1935f3-3f62-4e4e-a364-eb29472d0160";
    private const string BreakGlassRepeatedRule = "6147cc43-8fb0-4093-9ec5-9d89445cbbe2";

    [SkippableFact]
    public async Task Within_a_minute_the_demo_shows_alerts_of_every_scenario_a_running_clock_and_a_privacy_investigation()
    {
        foreach (var needed in new[] { "synthea/bundles", "sigma/rules/windows", "sigma/regression_data/rules/windows/process_creation" })
            Skip.IfNot(Directory.Exists(Path.Combine(TestEnvironment.SharedData, needed)), $"../shared/data/{needed} is missing: the demo's patients, rules and recordings come from it");
        var data = TestEnvironment.NewTempDirectory("vigie-demo");
        var port = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var loading = Stopwatch.StartNew();
        await using var demo = VigieProcess.Start(["demo", "--data", data, "--urls", url], workingDirectory: TestEnvironment.RepositoryRoot);
        (await demo.WaitReadyAsync(url + "/readyz", timeoutSeconds: 300)).ShouldBeTrue($"vigie demo did not answer: {demo.Stderr}");
        var clock = Stopwatch.StartNew();
        output.WriteLine($"vigie demo answered after {loading.Elapsed.TotalSeconds:0} s of loading");
        demo.Stdout.ShouldContain("dr.kettani");

        using var api = new HttpClient { BaseAddress = new Uri(url) };
        var token = await api.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = DemoContent.Password });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());

        var seen = new Dictionary<string, TimeSpan>();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && seen.Count < 6)
        {
            using var alerts = JsonDocument.Parse(await api.GetStringAsync("/api/v1/alerts?status=new,acknowledged&limit=500"));
            var items = alerts.RootElement.GetProperty("items").EnumerateArray().ToList();
            bool Any(Func<JsonElement, bool> test) => items.Any(test);
            void Mark(string what, bool met)
            {
                if (met)
                    seen.TryAdd(what, clock.Elapsed);
            }
            Mark("password guessing then sign-in", Any(a => a.GetProperty("rule_id").GetString() == DemoRules.GuessedId));
            Mark("ransomware precursors", Any(a => a.GetProperty("establishment").GetString() == "HR-KENITRA" && a.GetProperty("category").GetString() == "security"
                && a.GetProperty("title").GetString()!.Contains("WMIC", StringComparison.Ordinal)));
            // The simulated days hold such alerts too: these are the traffic's, by the demo clinicians who play them.
            Mark("VIP record", Any(a => a.GetProperty("rule_id").GetString() == VipRule && a.GetProperty("entity").GetString() == "user:inf.benali"));
            Mark("break-the-glass abuse", Any(a => a.GetProperty("rule_id").GetString() == BreakGlassRepeatedRule && a.GetProperty("entity").GetString() == "user:dr.kettani"));

            using var incidents = JsonDocument.Parse(await api.GetStringAsync("/api/v1/incidents?status=open,contained"));
            foreach (var incident in incidents.RootElement.GetProperty("items").EnumerateArray())
            {
                using var detail = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}"));
                Mark("incident with a running clock", detail.RootElement.GetProperty("clocks").EnumerateArray().Any(c => c.GetProperty("status").GetString() == "running"));
            }
            using var investigation = JsonDocument.Parse(await api.GetStringAsync("/api/v1/privacy/users/inf.benali/accesses"));
            Mark("privacy investigation", investigation.RootElement.GetProperty("suspicious").GetInt32() > 0 && investigation.RootElement.GetProperty("alerts").GetArrayLength() > 0);
            if (seen.Count < 6)
                await Task.Delay(2000);
        }
        seen.Keys.ShouldBe(["incident with a running clock", "password guessing then sign-in", "ransomware precursors", "VIP record", "break-the-glass abuse", "privacy investigation"],
            ignoreOrder: true, customMessage: $"seen after {clock.Elapsed.TotalSeconds:0} s: {string.Join(", ", seen.Select(s => $"{s.Key} at {s.Value.TotalSeconds:0} s"))}");
        output.WriteLine($"ready after loading; then {string.Join(", ", seen.OrderBy(s => s.Value).Select(s => $"{s.Key} at {s.Value.TotalSeconds:0} s"))}");
        seen.Values.Max().ShouldBeLessThan(TimeSpan.FromSeconds(60), string.Join(", ", seen.Select(s => $"{s.Key} at {s.Value.TotalSeconds:0} s")));

        // What a newcomer sees: the live overview and queue of the running demo.
        Skip.If(fixture.Unavailable is not null, fixture.Unavailable);
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, Locale = "fr-MA" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Identifiant").FillAsync("analyst");
        await page.GetByLabel("Mot de passe").FillAsync(DemoContent.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connexion" }).ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/login", StringComparison.Ordinal));
        double.Parse(await page.GetByTestId("events-per-second").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        await BrowserFixture.ScreenshotAsync(page, "demo-overview");
        await page.GotoAsync("/alerts");
        await Assertions.Expect(page.Locator("table.queue tbody tr", new() { HasText = "SSH" }).First).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "demo-alerts", fullPage: false);
        await context.CloseAsync();
        demo.Interrupt();
        (await demo.WaitForExitAsync(60)).ShouldBe(0, demo.Stderr);
    }
}
