using System.Diagnostics;
using Vigie.Formats.Evtx;
using Vigie.Server.Cli;
using Vigie.Sigma;

namespace Vigie.Benchmarks;

/// <summary>
/// EVTX records through the Sigma engine with the whole SigmaHQ corpus, in one process, measured in CPU time of
/// the process as well as wall time: each pass re-reads the file from memory (chunk checksums, Binary XML, fields),
/// wraps each record as <c>vigie sigma scan</c> does (<see cref="SigmaEvtxEvent"/>) and evaluates it, so no field
/// text rendered by an earlier pass is reused. A pass that only parses gives the reader's share.
/// Run: dotnet run -c Release --project bench/Vigie.Benchmarks -- sigma-evtx FILE [SECONDS]
/// (FILE from bench/evtx/build_large_evtx.py).
/// </summary>
internal static class SigmaEvtxScan
{
    private static readonly string[] RuleFolders = ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"];

    public static int Run(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: sigma-evtx FILE [SECONDS]  (FILE: an .evtx file, e.g. from bench/evtx/build_large_evtx.py)");
            return 2;
        }
        var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var sigma = Path.Combine(SigmaBenchmarks.DataRoot(), "sigma");
        using var process = Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }

        var clock = Stopwatch.StartNew();
        var cpu0 = Cpu();
        var engine = SigmaEngine.Compile(SigmaRuleSet.Load(RuleFolders.Select(f => Path.Combine(sigma, f))));
        Console.WriteLine($"corpus: {engine.Rules.Count} rules loaded and compiled in {clock.Elapsed.TotalMilliseconds:N0} ms wall, {(Cpu() - cpu0).TotalMilliseconds:N0} ms CPU");
        var file = File.ReadAllBytes(args[0]);

        long ParseOnly()
        {
            using var reader = EvtxReader.Open(new MemoryStream(file, writable: false), args[0]);
            long n = 0;
            foreach (var record in reader.ReadRecords())
                n += record.FieldCount > 0 ? 1 : 0;
            return n;
        }

        long matchesTotal = 0;
        long evaluated = 0;
        long ParseAndEvaluate(SigmaEvaluator evaluator)
        {
            using var reader = EvtxReader.Open(new MemoryStream(file, writable: false), args[0]);
            var matches = new List<SigmaRule>();
            long n = 0;
            foreach (var record in reader.ReadRecords())
            {
                matches.Clear();
                matchesTotal += evaluator.Evaluate(new SigmaEvtxEvent(record), matches);
                n++;
            }
            evaluated += n;
            return n;
        }

        long ParseAndEvaluateAllCores()
        {
            using var reader = EvtxReader.Open(new MemoryStream(file, writable: false), args[0]);
            using var evaluators = new ThreadLocal<SigmaEvaluator>(engine.CreateEvaluator);
            long n = 0;
            reader.ForEachChunk(chunk =>
            {
                var evaluator = evaluators.Value!;
                var matches = new List<SigmaRule>();
                foreach (var record in chunk.ReadRecords())
                {
                    matches.Clear();
                    evaluator.Evaluate(new SigmaEvtxEvent(record), matches);
                }
                Interlocked.Add(ref n, chunk.ReadRecords().Count);
            });
            return n;
        }

        // Warm-up: tiered compilation promotes the hot code, every logsource bucket and regular expression is built.
        var one = engine.CreateEvaluator();
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(Math.Max(5, seconds / 2)))
            ParseAndEvaluate(one);

        void Measure(string name, Func<long> pass)
        {
            var cpuStart = Cpu();
            var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            var wall = Stopwatch.StartNew();
            long records = 0;
            var passes = 0;
            while (wall.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                records += pass();
                passes++;
            }
            var elapsed = wall.Elapsed.TotalSeconds;
            var cpu = (Cpu() - cpuStart).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
            Console.WriteLine($"{name}: {records:N0} records in {passes} passes, {records / elapsed:N0} records/s wall, {records / cpu:N0} records per CPU-second ({cpu * 1e6 / records:N2} µs CPU per record, {allocated / (double)records:N0} bytes allocated per record)");
        }

        Measure("parse only, one thread", ParseOnly);
        matchesTotal = 0;
        evaluated = 0;
        Measure("parse and evaluate, one thread", () => ParseAndEvaluate(one));
        Measure("parse and evaluate, every core", ParseAndEvaluateAllCores);
        Console.WriteLine($"rule matches per record: {matchesTotal / (double)Math.Max(1, evaluated):N3}");
        Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / (1024 * 1024)} MiB; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
