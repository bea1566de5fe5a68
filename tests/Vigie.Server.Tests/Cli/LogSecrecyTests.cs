using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Cli;

public sealed class LogSecrecyTests
{
    [Fact]
    public async Task A_full_run_never_writes_a_password_token_key_or_TOTP_secret_to_its_output()
    {
        var data = TestEnvironment.NewTempDirectory();
        const string password = "Very-Secret-Pass-4471";
        const string newPassword = "Another-Secret-Pass-9932";
        (await VigieProcess.RunAsync(["establishments", "add", "--code", "MA", "--name", "N", "--type", "national", "--data", data])).ExitCode.ShouldBe(0);
        (await VigieProcess.RunAsync(["users", "add", "--username", "root.admin", "--password", password, "--role", "admin", "--data", data])).ExitCode.ShouldBe(0);

        var port = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var secrets = new List<string> { password, newPassword };
        await using (var serve = VigieProcess.Start(["serve", "--data", data, "--urls", url]))
        {
            (await serve.WaitReadyAsync(url + "/readyz")).ShouldBeTrue(serve.Stderr);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "root.admin", password = "wrong-" + password });
            var token = (await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "root.admin", password })).ReadAsync())
                .GetProperty("access_token").GetString()!;
            secrets.Add(token);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var key = (await (await client.PostAsJsonAsync("/api/v1/collectors", new { name = "c1", establishment = "MA" })).ReadAsync())
                .GetProperty("api_key").GetString()!;
            secrets.Add(key);
            var totp = (await (await client.PostAsync("/api/v1/me/totp", null)).ReadAsync()).GetProperty("secret").GetString()!;
            secrets.Add(totp);
            await client.PostAsJsonAsync("/api/v1/me/password", new { current_password = password, new_password = newPassword });
            // A malformed body that quotes a secret must not echo it into the logs either.
            await client.PostAsync("/api/v1/users", new StringContent($"{{\"password\": \"{newPassword}\", ", System.Text.Encoding.UTF8, "application/json"));
            serve.Interrupt();
            await serve.WaitForExitAsync();

            var output = serve.Stdout + serve.Stderr;
            output.ShouldContain("listening on");
            foreach (var secret in secrets)
                output.ShouldNotContain(secret, Case.Sensitive, "the output of vigie serve contains a secret");
        }
        // Nor does the store keep them in clear: passwords are hashed, keys hashed, TOTP secrets protected.
        var db = await File.ReadAllBytesAsync(Path.Combine(data, "vigie.db"));
        var wal = Path.Combine(data, "vigie.db-wal");
        var text = System.Text.Encoding.UTF8.GetString(db) + (File.Exists(wal) ? System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(wal)) : "");
        foreach (var secret in secrets)
            text.ShouldNotContain(secret);
        Directory.Delete(data, true);
    }
}
