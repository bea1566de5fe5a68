#:project ../src/Vigie.Sigma/Vigie.Sigma.csproj
#:property ServerGarbageCollection=true
#:property TieredPGO=true
#:property PublishAot=false
#:property RestorePackagesWithLockFile=false
// Events per CPU-second through the Sigma engine with the whole SigmaHQ corpus, on one thread and on
// every core, measured in process CPU time as well as wall time: on a shared machine wall time measures
// the neighbours too. Run from the repository root: dotnet run -c Release bench/SigmaThroughput.cs [seconds]
using System.Diagnostics;
using System.Text.Json;
using Vigie.Sigma;
using Vigie.Sigma.Events;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var data = Path.GetFullPath(Path.Combine("..", "shared", "data"));
if (!Directory.Exists(Path.Combine(data, "sigma")))
{
    Console.Error.WriteLine($"sigma-throughput: {data}/sigma is missing (run from the repository root)");
    return 1;
}
string[] folders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];
using var process = Process.GetCurrentProcess();
TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }

var wall = Stopwatch.StartNew();
var cpu0 = Cpu();
var engine = SigmaEngine.Compile(SigmaRuleSet.Load(folders.Select(f => Path.Combine(data, "sigma", f))));
Console.WriteLine($"corpus: {engine.Rules.Count} rules loaded and compiled in {wall.Elapsed.TotalMilliseconds:N0} ms wall, {(Cpu() - cpu0).TotalMilliseconds:N0} ms CPU (first load in this process)");

var files = Directory.GetFiles(Path.Combine(data, "sigma", "regression_data"), "*.json", SearchOption.AllDirectories)
    .Concat(Directory.GetFiles(Path.Combine(data, "security-datasets"), "*.json", SearchOption.AllDirectories)).Order(StringComparer.Ordinal);
JsonElement[] events = [.. files.SelectMany(f => JsonEventReader.ReadAll(File.ReadAllBytes(f)))];
Console.WriteLine($"event mix: {events.Length} events (SigmaHQ regression samples and security-datasets recordings), already parsed");

// A long warm-up: tiered compilation (with dynamic PGO) promotes the hot code in the background, which
// takes seconds on a busy machine; it also compiles regular expressions and builds every logsource bucket.
{
    var warm = engine.CreateEvaluator();
    var matches = new List<SigmaRule>();
    var warmClock = Stopwatch.StartNew();
    while (warmClock.Elapsed < TimeSpan.FromSeconds(Math.Max(8, seconds)))
    {
        foreach (var e in events)
        {
            matches.Clear();
            warm.Evaluate(new JsonSigmaEvent(e), matches);
        }
    }
}

foreach (var threads in new[] { 1, Environment.ProcessorCount, 1, Environment.ProcessorCount })
{
    var evaluators = Enumerable.Range(0, threads).Select(_ => engine.CreateEvaluator()).ToArray();
    long total = 0;
    var cpuStart = Cpu();
    var clock = Stopwatch.StartNew();
    var until = TimeSpan.FromSeconds(seconds);
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
    {
        var matches = new List<SigmaRule>();
        long count = 0;
        while (clock.Elapsed < until)
        {
            for (var i = w; i < events.Length; i += threads)
            {
                matches.Clear();
                evaluators[w].Evaluate(new JsonSigmaEvent(events[i]), matches);
                count++;
            }
        }
        Interlocked.Add(ref total, count);
    });
    var elapsed = clock.Elapsed.TotalSeconds;
    var cpu = (Cpu() - cpuStart).TotalSeconds;
    Console.WriteLine($"{threads} thread(s): {total / elapsed:N0} events/s wall, {total / cpu:N0} events per CPU-second ({cpu * 1e6 / total:N2} µs CPU per event), {total:N0} events");
}
Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / (1024 * 1024)} MiB; load average {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
