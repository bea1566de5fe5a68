using System.Net;
using System.Text.RegularExpressions;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Console;

/// <summary>The console's sign-in by secure cookie, over plain HTTP forms (browser tests drive the pages themselves).</summary>
public sealed partial class ConsoleSignInTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static HttpClient Browser(VigieTestHost host) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password)
    {
        var form = await browser.GetStringAsync("/login");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    [SkippableFact]
    public async Task Signing_in_sets_a_secure_session_cookie_and_opens_the_overview()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("rssi.a", Roles.SecurityOfficer, "REG-A");
        using var browser = Browser(host);

        var anonymous = await browser.GetAsync("/");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.ToString().ShouldContain("/login");

        var signedIn = await SignInAsync(browser, "rssi.a", VigieTestHost.Password);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("vigie.session=", StringComparison.Ordinal));
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);

        var overview = await browser.GetAsync("/");
        overview.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await overview.Content.ReadAsStringAsync();
        html.ShouldContain("rssi.a");
        html.ShouldContain("Établissements");
        overview.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("script-src 'self'");

        var establishments = await browser.GetStringAsync("/admin/establishments");
        establishments.ShouldContain("CHU-A");
        establishments.ShouldNotContain("HOSP-B");
    }

    [SkippableFact]
    public async Task A_wrong_password_a_missing_antiforgery_token_and_a_foreign_return_address_are_refused()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("doctor", Roles.Clinician, "CHU-A");
        using var browser = Browser(host);

        var wrong = await SignInAsync(browser, "doctor", "not-the-password");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("Identifiant ou mot de passe incorrect");

        var forged = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "doctor", ["password"] = VigieTestHost.Password }));
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var form = await browser.GetStringAsync("/login?returnUrl=https://evil.example/");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        var redirected = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "doctor", ["password"] = VigieTestHost.Password, ["returnUrl"] = "//evil.example/", ["__RequestVerificationToken"] = token,
        }));
        redirected.Headers.Location!.ToString().ShouldBe("/");

        // A clinician has no administration pages.
        var denied = await browser.GetAsync("/admin/users");
        denied.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        denied.Headers.Location!.ToString().ShouldContain("/denied");
    }

    [SkippableFact]
    public async Task With_a_second_factor_the_console_asks_for_the_code_before_opening_a_session()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        using (var api = await host.SignedInAsync("analyst"))
        {
            var secret = Totp.FromBase32((await (await api.PostAsync("/api/v1/me/totp", null)).ReadAsync()).GetProperty("secret").GetString()!);
            var code = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) - 1);
            (await api.PostAsync("/api/v1/me/totp/confirm", System.Net.Http.Json.JsonContent.Create(new { code }))).StatusCode.ShouldBe(HttpStatusCode.OK);

            using var browser = Browser(host);
            var first = await SignInAsync(browser, "analyst", VigieTestHost.Password);
            first.Headers.Location!.ToString().ShouldContain("/login/code");
            (await browser.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

            var page = await browser.GetStringAsync("/login/code");
            var token = AntiforgeryField().Match(page).Groups[1].Value;
            var bad = await browser.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "12345x", ["__RequestVerificationToken"] = token }));
            bad.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var good = await browser.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["code"] = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + 1), ["__RequestVerificationToken"] = token,
            }));
            good.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            (await browser.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }
}
