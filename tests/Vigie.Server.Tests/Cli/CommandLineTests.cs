using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Cli;

/// <summary>The verbs are a contract: these run the real executable, as scripts and operators do.</summary>
public sealed class CommandLineTests
{
    private static Task<VigieProcess.Result> Vigie(params string[] args) => VigieProcess.RunAsync(args);

    [Fact]
    public async Task Unknown_verbs_and_flags_fail_with_one_clear_line_and_exit_2()
    {
        var verb = await Vigie("frobnicate");
        verb.ExitCode.ShouldBe(2);
        verb.Stderr.ShouldContain("'frobnicate'");
        verb.Stderr.ShouldNotContain("Required command");

        var flag = await Vigie("users", "list", "--colour", "blue");
        flag.ExitCode.ShouldBe(2);
        flag.Stderr.ShouldContain("--colour");
        flag.Stderr.ShouldContain("vigie users list --help");
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("demo")]
    [InlineData("db", "migrate")]
    [InlineData("establishments", "add")]
    [InlineData("establishments", "list")]
    [InlineData("users", "add")]
    [InlineData("users", "list")]
    [InlineData("users", "disable")]
    [InlineData("users", "reset-password")]
    [InlineData("collectors", "add")]
    [InlineData("collectors", "list")]
    [InlineData("collectors", "revoke")]
    [InlineData("version")]
    public async Task Every_verb_explains_itself_with_help(params string[] verb)
    {
        var result = await Vigie([.. verb, "--help"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Usage:");
        if (verb[0] is not "version")
            result.Stdout.ShouldContain(verb[0] is "serve" or "demo" ? "--urls" : verb[^1] is "list" or "add" or "migrate" ? "--store" : "--data");
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = await Vigie("version");
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("vigie ");
    }

    [Fact]
    public async Task A_malformed_store_URL_is_named_in_the_error()
    {
        var result = await Vigie("users", "list", "--store", "mysql://root@db/vigie");
        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("mysql://root@db/vigie");
        result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);

        var noDatabase = await Vigie("users", "list", "--store", "postgres://u:secret-pw@localhost:5432");
        noDatabase.ExitCode.ShouldBe(2);
        noDatabase.Stderr.ShouldContain("database");
        noDatabase.Stderr.ShouldNotContain("secret-pw");
    }

    [Fact]
    public async Task An_unreachable_PostgreSQL_is_reported_without_its_password_and_exits_3()
    {
        var port = VigieProcess.FreePort();
        var result = await Vigie("users", "list", "--store", $"postgres://vigie:hunter2-secret@127.0.0.1:{port}/vigie");
        result.ExitCode.ShouldBe(3);
        result.Stderr.ShouldContain("cannot reach the store");
        result.Stderr.ShouldContain($"127.0.0.1:{port}");
        result.Stderr.ShouldNotContain("hunter2-secret");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Data_verbs_manage_establishments_users_and_collectors(string provider)
    {
        await using var store = await TestStore.CreateAsync(provider);
        string[] at = provider == "sqlite" ? ["--data", store.DataDirectory] : ["--store", store.Url, "--data", store.DataDirectory];

        (await Vigie(["establishments", "add", "--code", "MA", "--name", "National", "--type", "national", .. at])).ExitCode.ShouldBe(0);
        (await Vigie(["establishments", "add", "--code", "R1", "--name", "Région 1", "--type", "region", "--parent", "MA", .. at])).ExitCode.ShouldBe(0);
        var duplicate = await Vigie(["establishments", "add", "--code", "R1", "--name", "Again", "--type", "region", "--parent", "MA", .. at]);
        duplicate.ExitCode.ShouldBe(1);
        duplicate.Stderr.Trim().ShouldBe("vigie: establishment 'R1' already exists");
        var badType = await Vigie(["establishments", "add", "--code", "X", "--name", "X", "--type", "palace", .. at]);
        badType.ExitCode.ShouldBe(2);

        (await Vigie(["users", "add", "--username", "sara", "--password", "long-enough-password", "--role", "soc-analyst", "--role", "dpo", .. at])).ExitCode.ShouldBe(0);
        var again = await Vigie(["users", "add", "--username", "sara", "--password", "long-enough-password", "--role", "dpo", .. at]);
        again.ExitCode.ShouldBe(1);
        again.Stderr.ShouldContain("already exists");
        var fromStdin = await VigieProcess.RunAsync(["users", "add", "--username", "omar", "--password-stdin", "--role", "clinician", "--establishment", "R1", "--profession", "nurse", .. at], stdin: "stdin-password-123\n");
        fromStdin.ExitCode.ShouldBe(0, fromStdin.ToString());

        var list = await Vigie(["users", "list", "--output", "json", .. at]);
        var users = JsonDocument.Parse(list.Stdout).RootElement;
        users.EnumerateArray().Select(u => u.GetProperty("username").GetString()).ShouldBe(["omar", "sara"]);
        users[1].GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["dpo", "soc-analyst"]);
        users[0].GetProperty("establishment").GetString().ShouldBe("R1");

        (await Vigie(["users", "disable", "omar", .. at])).ExitCode.ShouldBe(0);
        (await Vigie(["users", "reset-password", "sara", "--password", "another-long-password", .. at])).ExitCode.ShouldBe(0);
        var table = await Vigie(["users", "list", .. at]);
        table.Stdout.ShouldContain("disabled");

        var collector = await Vigie(["collectors", "add", "--name", "fw-1", "--establishment", "R1", .. at]);
        collector.ExitCode.ShouldBe(0);
        var key = collector.Stdout.Trim();
        key.ShouldStartWith("vgk_");
        var collectors = await Vigie(["collectors", "list", .. at]);
        collectors.Stdout.ShouldContain("fw-1");
        collectors.Stdout.ShouldNotContain(key);
        (await Vigie(["collectors", "revoke", "fw-1", .. at])).ExitCode.ShouldBe(0);
        (await Vigie(["collectors", "list", .. at])).Stdout.ShouldContain("revoked");
        (await Vigie(["collectors", "revoke", "nope", .. at])).Stderr.ShouldContain("'nope' does not exist");
    }

    [Fact]
    public async Task Flags_win_over_environment_which_wins_over_the_configuration_file()
    {
        var root = TestEnvironment.NewTempDirectory();
        var fromFile = Path.Combine(root, "file");
        var fromEnv = Path.Combine(root, "env");
        var fromFlag = Path.Combine(root, "flag");
        var config = Path.Combine(root, "vigie.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { data = fromFile }));

        async Task AddNational(IDictionary<string, string>? env, params string[] extra) =>
            (await VigieProcess.RunAsync(["establishments", "add", "--code", "MA", "--name", "N", "--type", "national", "--config", config, .. extra], env)).ExitCode.ShouldBe(0);

        await AddNational(null);
        File.Exists(Path.Combine(fromFile, "vigie.db")).ShouldBeTrue();
        await AddNational(new Dictionary<string, string> { ["VIGIE_DATA"] = fromEnv });
        File.Exists(Path.Combine(fromEnv, "vigie.db")).ShouldBeTrue();
        await AddNational(new Dictionary<string, string> { ["VIGIE_DATA"] = fromEnv }, "--data", fromFlag);
        File.Exists(Path.Combine(fromFlag, "vigie.db")).ShouldBeTrue();

        await File.WriteAllTextAsync(config, "{ \"data\": ");
        var broken = await VigieProcess.RunAsync(["users", "list", "--config", config]);
        broken.ExitCode.ShouldBe(2);
        broken.Stderr.ShouldContain("not valid JSON");
        Directory.Delete(root, true);
    }

    [Fact]
    public async Task Serve_answers_readyz_and_reports_a_port_in_use_in_one_line()
    {
        var data = TestEnvironment.NewTempDirectory();
        var port = VigieProcess.FreePort();
        await using var first = VigieProcess.Start(["serve", "--data", data, "--urls", $"http://127.0.0.1:{port}"]);
        (await first.WaitReadyAsync($"http://127.0.0.1:{port}/readyz")).ShouldBeTrue(first.Stderr + first.Stdout);

        var second = await Vigie("serve", "--data", data, "--urls", $"http://127.0.0.1:{port}");
        second.ExitCode.ShouldBe(3);
        second.Stderr.Trim().ShouldBe($"vigie: cannot listen on http://127.0.0.1:{port}: the address is already in use (choose another with --urls)");

        first.Interrupt();
        (await first.WaitForExitAsync()).ShouldBe(0);
        Directory.Delete(data, true);
    }
}
