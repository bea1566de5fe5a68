using System.Net.Http.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Cli;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_prints_its_credentials_and_they_open_the_API()
    {
        var data = TestEnvironment.NewTempDirectory();
        var port = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var demo = VigieProcess.Start(["demo", "--data", data, "--urls", url]);
        (await demo.WaitReadyAsync(url + "/readyz", 120)).ShouldBeTrue(demo.Stderr);
        for (var i = 0; i < 50 && !demo.Stdout.Contains("Ctrl+C", StringComparison.Ordinal); i++)
            await Task.Delay(100);

        demo.Stdout.ShouldContain("vigie-demo-2026");
        foreach (var account in new[] { "admin", "analyst", "rssi.chu", "dpo", "dr.alaoui", "patient", "partner.cert" })
            demo.Stdout.ShouldContain(account);

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var token = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "analyst", password = "vigie-demo-2026" });
        token.IsSuccessStatusCode.ShouldBeTrue();
        demo.Interrupt();
        await demo.WaitForExitAsync();
        Directory.Delete(data, true);
    }

    [Fact]
    public async Task Serve_outside_demo_has_no_account()
    {
        var data = TestEnvironment.NewTempDirectory();
        var port = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var serve = VigieProcess.Start(["serve", "--data", data, "--urls", url]);
        (await serve.WaitReadyAsync(url + "/readyz")).ShouldBeTrue(serve.Stderr);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        foreach (var (user, password) in new[] { ("admin", "vigie-demo-2026"), ("admin", "admin"), ("root", "root") })
            (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = user, password })).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        serve.Stdout.ShouldNotContain("vigie-demo-2026");
        serve.Interrupt();
        await serve.WaitForExitAsync();
        Directory.Delete(data, true);
    }
}
