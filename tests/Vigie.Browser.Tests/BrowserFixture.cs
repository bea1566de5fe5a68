using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;
using Vigie.Server.Demo;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Browser.Tests;

/// <summary>
/// One Vigie with the demo's content (establishments, users, Synthea patients when shared data is there, the
/// simulated days of record accesses, alerts and incidents) and one headless Chromium (Debian's, never a
/// downloaded one), shared by every browser test: the demo loads once. Tests that change things make their own
/// alerts, incidents and events, so that they do not depend on one another's order.
/// </summary>
public sealed partial class BrowserFixture : IAsyncLifetime
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
            AcceptDownloads = true,
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

    /// <summary>Saves a screenshot into docs/screenshots (shown in the README): the whole page, or only what the window shows.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage });
    }

    /// <summary>The id of an establishment of the demo by code.</summary>
    public Task<Guid> EstablishmentAsync(string code) =>
        Host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().Establishments.Where(e => e.Code == code).Select(e => e.Id).SingleAsync());

    /// <summary>
    /// Raises a security alert through alerting's own builder, as detection would: one detection of a rule of this
    /// test (a fresh rule id unless one is given) about <paramref name="user"/> at <paramref name="establishment"/>.
    /// </summary>
    public async Task<long> AddAlertAsync(string establishment, string title, string? user = null, SigmaLevel level = SigmaLevel.High,
        string? ruleId = null, string[]? tags = null)
    {
        var id = await EstablishmentAsync(establishment);
        var outcome = await Host.WithServicesAsync(sp => sp.GetRequiredService<AlertBuilder>().AddAsync(
        [
            new IncomingDetection
            {
                Source = "browser-test",
                Id = Guid.NewGuid().ToString("N"),
                RuleId = ruleId ?? "test-" + Guid.NewGuid().ToString("N")[..12],
                Title = title,
                Level = level,
                Tags = tags ?? ["attack.credential-access", "attack.t1110.001"],
                EstablishmentId = id,
                Time = DateTime.UtcNow,
                Fields = new Dictionary<string, string> { ["user.name"] = user ?? "user-" + Guid.NewGuid().ToString("N")[..8], ["source.ip"] = "198.51.100.23" },
            },
        ]));
        return outcome.AlertIds.Single();
    }

    /// <summary>Stores events through the in-process sink (the path Vigie's own features use) and returns their ids, newest first.</summary>
    public async Task<IReadOnlyList<long>> AddEventsAsync(string establishment, int count, Func<int, Dictionary<string, object?>> fields)
    {
        var id = await EstablishmentAsync(establishment);
        var documents = new List<EventDocument>();
        for (var i = 0; i < count; i++)
        {
            var d = new EventDocument { Timestamp = DateTime.UtcNow.AddSeconds(-count + i) };
            foreach (var (name, value) in fields(i))
                d[name] = value;
            documents.Add(d);
        }
        await Host.Services.GetRequiredService<IEventSink>().SubmitAsync(documents, id, "browser-test");
        var marker = fields(0).First();
        var page = await Host.Services.GetRequiredService<IEventStore>().SearchAsync(new EventSearch(
            new Vigie.Core.Events.Query.FieldMatch(marker.Key, marker.Value?.ToString() ?? "", false), DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddMinutes(1),
            Vigie.Core.Establishments.AccessScope.Everything, 1000), CancellationToken.None);
        return page.Events.Select(e => e.Id).ToList();
    }

    [GeneratedRegex("/incidents/(\\d+)$")]
    public static partial Regex IncidentUrl();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Host is not null)
            await Host.DisposeAsync();
    }
}

/// <summary>Every browser test class shares one fixture: the demo loads once per run.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "console";
}
