using System.Diagnostics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Vigie.Sigma;
using Vigie.Sigma.Events;

namespace Vigie.Benchmarks;

/// <summary>
/// The Sigma engine with the whole SigmaHQ corpus loaded: corpus load-and-compile time, and events per
/// second over already-parsed events (SigmaHQ regression samples and the security-datasets recordings,
/// Windows/Sysmon/Security/CloudTrail JSON) on one thread and on every core.
/// Run: dotnet run -c Release --project bench/Vigie.Benchmarks -- --filter '*SigmaBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FullyOptimised))]
public class SigmaBenchmarks
{
    /// <summary>
    /// Tiered compilation off: on a busy machine its background compiler starved, and short runs measured
    /// unoptimised code (run-to-run spread of 10x on this shared 2-core machine). bench/SigmaThroughput.cs
    /// measures with tiered PGO after a long warm-up.
    /// </summary>
    private sealed class FullyOptimised : BenchmarkDotNet.Configs.ManualConfig
    {
        public FullyOptimised() =>
            AddJob(Job.Default
                .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TieredCompilation", "0"))
                .WithWarmupCount(3)
                .WithIterationCount(12));
    }

    private static readonly string[] RuleFolders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];
    private string _sigma = "";
    private SigmaEngine _engine = null!;
    private SigmaEvaluator _evaluator = null!;
    private JsonElement[] _events = [];
    private readonly List<SigmaRule> _matches = [];

    public static string DataRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
        }
        throw new InvalidOperationException("run from inside the repository: ../shared/data is found next to the folder holding Vigie.slnx");
    }

    /// <summary>The parsed JSON of every event of the mix; each evaluation wraps it afresh, so no per-event index is reused.</summary>
    public static JsonElement[] LoadEventMix(string data)
    {
        var files = Directory.GetFiles(Path.Combine(data, "sigma", "regression_data"), "*.json", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(data, "security-datasets"), "*.json", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
        return [.. files.SelectMany(f => JsonEventReader.ReadAll(File.ReadAllBytes(f)))];
    }

    [GlobalSetup]
    public void Setup()
    {
        var data = DataRoot();
        _sigma = Path.Combine(data, "sigma");
        _engine = SigmaEngine.Compile(SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(_sigma, f))));
        _evaluator = _engine.CreateEvaluator();
        _events = LoadEventMix(data);
        _workerEvaluators = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => _engine.CreateEvaluator())];
        Console.WriteLine($"// {_engine.Rules.Count} rules, {_events.Length} events in the mix");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"// peak working set {process.PeakWorkingSet64 / (1024 * 1024)} MiB");
    }

    /// <summary>Reading, parsing and compiling all 3,780 corpus files (parallel parse).</summary>
    [Benchmark]
    public int LoadAndCompileCorpus() =>
        SigmaEngine.Compile(SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(_sigma, f)))).Rules.Count;

    /// <summary>One pass over the event mix on one thread; divide the time by the event count for time per event.</summary>
    [Benchmark]
    public int EvaluateMixOneThread()
    {
        var total = 0;
        foreach (var e in _events)
        {
            _matches.Clear();
            total += _evaluator.Evaluate(new JsonSigmaEvent(e), _matches);
        }
        return total;
    }

    /// <summary>The same pass split across every core, one evaluator per worker thread.</summary>
    [Benchmark]
    public int EvaluateMixAllCores()
    {
        var total = 0;
        var workers = Environment.ProcessorCount;
        Parallel.For(0, workers, w =>
        {
            var evaluator = _workerEvaluators[w];
            var matches = new List<SigmaRule>();
            var count = 0;
            for (var i = w; i < _events.Length; i += workers)
            {
                matches.Clear();
                count += evaluator.Evaluate(new JsonSigmaEvent(_events[i]), matches);
            }
            Interlocked.Add(ref total, count);
        });
        return total;
    }

    private SigmaEvaluator[] _workerEvaluators = [];
}
