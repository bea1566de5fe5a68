using Microsoft.Playwright;
using Vigie.Server.Demo;
using Vigie.Server.Tests.Support;

namespace Vigie.Browser.Tests;

/// <summary>
/// One Vigie with the demo's establishments and users, and one headless Chromium (Debian's, never a
/// downloaded one), shared by the browser tests of a class.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public VigieTestHost Host { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string? Unavailable { get; private set; }

    public static string ScreenshotFolder => Path.Combine(TestEnvironment.RepositoryRoot, "docs", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Unavailable = $"Chromium is not installed at {ChromiumPath} (./test.sh installs Debian's chromium package)";
            return;
        }
        Host = await VigieTestHost.StartAsync("sqlite");
        await DemoContent.LoadAsync(Host.Services, CancellationToken.None);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <summary>A fresh browser context (its own cookies), signed in as <paramref name="username"/> when given.</summary>
    public async Task<IPage> PageAsync(string? username = null, string? language = null)
    {
        Skip.If(Unavailable is not null, Unavailable);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = language == "en" ? "en-GB" : "fr-MA",
        });
        var page = await context.NewPageAsync();
        if (language is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = "vigie.lang", Value = language, Url = Host.Address.ToString() }]);
        }
        if (username is not null)
        {
            await page.GotoAsync("/login");
            await page.GetByLabel(language == "en" ? "Username" : "Identifiant").FillAsync(username);
            await page.GetByLabel(language == "en" ? "Password" : "Mot de passe").FillAsync(DemoContent.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = language == "en" ? "Sign in" : "Connexion" }).ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        }
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Host is not null)
            await Host.DisposeAsync();
    }
}
