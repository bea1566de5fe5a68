using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Vigie.Server.Tests.Evtx;

/// <summary><c>vigie evtx dump</c> run as a user runs it: a process, its standard output, error and exit code.</summary>
public sealed class EvtxDumpCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("vigie-evtx-dump-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string RegressionData()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            dir = dir.Parent;
        var data = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data", "sigma", "regression_data"));
        Skip.IfNot(Directory.Exists(data), $"shared test data missing: {data} (SigmaHQ regression_data .evtx samples)");
        return data;
    }

    private static string Sample(string data, string pathPart) =>
        Directory.EnumerateFiles(data, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .First(f => f.Replace('\\', '/').Contains(pathPart, StringComparison.Ordinal));

    private static (int ExitCode, string Out, string Error) Vigie(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigie.dll"));
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(2)).ShouldBeTrue("vigie did not finish in 2 minutes");
        return (process.ExitCode, output.Result, error.Result);
    }

    [SkippableFact]
    public void Dump_prints_one_json_object_per_record_with_file_id_timestamp_and_event()
    {
        var file = Sample(RegressionData(), "file_event_win_hktl_netexec_file_indicators/");

        var (exitCode, output, error) = Vigie("evtx", "dump", file, "--output", "jsonl");

        exitCode.ShouldBe(0, error);
        error.ShouldBeEmpty();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(7);
        var ids = new List<ulong>();
        foreach (var line in lines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            root.GetProperty("file").GetString().ShouldBe(file);
            ids.Add(root.GetProperty("record_id").GetUInt64());
            root.GetProperty("timestamp").GetString()!.ShouldEndWith("Z");
            var system = root.GetProperty("event").GetProperty("System");
            system.GetProperty("EventID").GetInt32().ShouldBe(11);
            system.GetProperty("Channel").GetString().ShouldBe("Microsoft-Windows-Sysmon/Operational");
            root.GetProperty("event").GetProperty("EventData").GetProperty("TargetFilename").GetString().ShouldNotBeNullOrEmpty();
        }
        ids.ShouldBe(ids.Order().ToList());
        ids.ShouldBeUnique();
    }

    [SkippableFact]
    public void Dump_of_a_folder_reads_every_evtx_in_it_in_order()
    {
        var data = RegressionData();
        var files = Directory.EnumerateFiles(data, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var (exitCode, output, error) = Vigie("evtx", "dump", data);

        exitCode.ShouldBe(0, error);
        var seen = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("file").GetString()!).ToList();
        seen.Distinct().ShouldBe(files);
        seen.Count.ShouldBeGreaterThan(files.Count);
    }

    [SkippableFact]
    public void A_file_that_is_not_evtx_is_named_on_stderr_and_the_others_are_still_dumped()
    {
        var good = Sample(RegressionData(), "file_event_win_hktl_netexec_file_indicators/");
        var bad = Path.Combine(_temp, "notes.evtx");
        File.WriteAllText(bad, "this is not an event log");

        var (exitCode, output, error) = Vigie("evtx", "dump", bad, good);

        exitCode.ShouldBe(0);
        error.ShouldContain($"vigie: {bad}: not an EVTX file");
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(7);
    }

    [Fact]
    public void Nothing_readable_exits_non_zero_with_one_clear_line_per_input()
    {
        var empty = Path.Combine(_temp, "empty.evtx");
        File.WriteAllBytes(empty, []);
        var missing = Path.Combine(_temp, "missing.evtx");

        var (exitCode, output, error) = Vigie("evtx", "dump", empty, missing);

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        error.ShouldContain($"vigie: {empty}: empty file, not an EVTX file");
        error.ShouldContain($"vigie: {missing}: no such file or folder");
    }

    [SkippableFact]
    public void A_damaged_chunk_is_reported_with_file_and_chunk_and_the_rest_is_dumped()
    {
        var sample = Sample(RegressionData(), "file_event_win_hktl_netexec_file_indicators/");
        var bytes = File.ReadAllBytes(sample);
        var damaged = new byte[bytes.Length + 65536];
        bytes.CopyTo(damaged, 0);
        bytes.AsSpan(4096, 65536).CopyTo(damaged.AsSpan(bytes.Length));
        damaged[4096 + 3000] ^= 0xFF; // inside chunk 0's records: its checksum no longer matches
        var path = Path.Combine(_temp, "damaged.evtx");
        File.WriteAllBytes(path, damaged);

        var (exitCode, output, error) = Vigie("evtx", "dump", path);

        exitCode.ShouldBe(0);
        error.ShouldContain($"{path}: chunk 0 (offset 0x1034): event records checksum mismatch");
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(7);
    }

    [Fact]
    public void An_unknown_output_format_is_a_usage_error()
    {
        var (exitCode, _, error) = Vigie("evtx", "dump", "x.evtx", "--output", "xml");

        exitCode.ShouldBe(2);
        error.ShouldContain("xml");
    }
}
