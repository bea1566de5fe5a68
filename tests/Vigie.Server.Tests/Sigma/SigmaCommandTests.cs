using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Sigma;

/// <summary>`vigie sigma check` and `vigie sigma scan` as analysts and scripts call them.</summary>
public sealed class SigmaCommandTests
{
    private static string Shared(string relative)
    {
        var path = Path.Combine(TestEnvironment.SharedData, relative);
        Skip.If(!Directory.Exists(path) && !File.Exists(path), $"shared data missing: {path}");
        return path;
    }

    [SkippableFact]
    public async Task Check_reports_counts_as_json_and_names_a_rejected_file()
    {
        var rules = Shared("sigma/rules/linux");
        var good = await VigieProcess.RunAsync(["sigma", "check", rules, "--output", "json"]);
        good.ExitCode.ShouldBe(0, good.ToString());
        var report = JsonDocument.Parse(good.Stdout).RootElement;
        report.GetProperty("loaded").GetInt32().ShouldBeGreaterThan(100);
        report.GetProperty("rejected").GetArrayLength().ShouldBe(0);

        var folder = TestEnvironment.NewTempDirectory();
        var broken = Path.Combine(folder, "broken.yml");
        await File.WriteAllTextAsync(broken, "title: Broken\nlogsource:\n  product: linux\ndetection:\n  sel:\n    Image|nosuchmodifier: x\n  condition: sel\n");
        var bad = await VigieProcess.RunAsync(["sigma", "check", rules, folder, "--output", "json"]);
        bad.ExitCode.ShouldBe(1);
        var rejected = JsonDocument.Parse(bad.Stdout).RootElement.GetProperty("rejected");
        rejected.GetArrayLength().ShouldBe(1);
        rejected[0].GetProperty("path").GetString()!.ShouldEndWith("broken.yml");
        rejected[0].GetProperty("error").GetString()!.ShouldContain("nosuchmodifier");
        Directory.Delete(folder, true);
    }

    [SkippableFact]
    public async Task Scan_reads_a_folder_of_evtx_and_json_and_ends_with_a_summary()
    {
        var rules = Shared("sigma/rules/windows/process_creation");
        var samples = Shared("sigma/regression_data/rules/windows/process_creation");
        var result = await VigieProcess.RunAsync(["sigma", "scan", "--rules", rules, "--input", samples, "--output", "jsonl"]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var fromEvtx = lines.Where(l => l.GetProperty("input").GetString()!.EndsWith(".evtx", StringComparison.Ordinal)).ToList();
        var fromJson = lines.Where(l => l.GetProperty("input").GetString()!.EndsWith(".json", StringComparison.Ordinal)).ToList();
        fromEvtx.Count.ShouldBeGreaterThan(20);
        fromEvtx.Count.ShouldBe(fromJson.Count);
        foreach (var line in fromEvtx)
        {
            foreach (var key in new[] { "rule_id", "rule_title", "level", "tags", "input", "event_index", "timestamp", "record_id" })
                line.TryGetProperty(key, out _).ShouldBeTrue($"a match line lacks '{key}'");
        }
        var summary = result.Stderr.Trim().Split('\n')[^1];
        summary.ShouldContain("files");
        summary.ShouldContain("records");
        summary.ShouldContain($"{lines.Count} matches");
        summary.ShouldMatch(@"\(.*(high|medium|critical|low).*\) in [0-9.]+ s");
    }

    [SkippableFact]
    public async Task Scan_reports_a_damaged_evtx_and_still_reads_the_rest()
    {
        var rules = Shared("sigma/rules/windows/process_creation");
        var sample = Directory.GetFiles(Shared("sigma/regression_data/rules/windows/process_creation"), "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var folder = TestEnvironment.NewTempDirectory();
        var good = Path.Combine(folder, "good.evtx");
        File.Copy(sample, good);
        await File.WriteAllBytesAsync(Path.Combine(folder, "zeros.evtx"), new byte[70_000]);
        var damaged = await File.ReadAllBytesAsync(sample);
        damaged[4096 + 200] ^= 0xFF; // inside the first chunk's records: its CRC no longer matches
        await File.WriteAllBytesAsync(Path.Combine(folder, "damaged.evtx"), damaged);

        var result = await VigieProcess.RunAsync(["sigma", "scan", "--rules", rules, "--input", good, Path.Combine(folder, "damaged.evtx"), "--output", "jsonl"]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldContain("damaged.evtx");
        result.Stdout.ShouldContain("good.evtx");

        var garbage = await VigieProcess.RunAsync(["sigma", "scan", "--rules", rules, "--input", Path.Combine(folder, "zeros.evtx")]);
        garbage.Stderr.ShouldContain("zeros.evtx");
        Directory.Delete(folder, true);
    }
}
