using System.Diagnostics;
using System.Text;
using Vigie.Core.Detection;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;
using Vigie.Formats.Syslog;
using Vigie.Sigma;

namespace Vigie.Benchmarks;

/// <summary>
/// The CPU a syslog message costs in each stage of collection before storage, on one thread, in one process:
/// parsing alone, parsing and ECS normalisation as <c>vigie serve</c> does it for every frame, and detection with
/// the SigmaHQ Linux and network rules compiled as the stream compiles them. Set beside the CPU per message that
/// rsyslog spends on the whole of its work (<c>bench/ingest/syslog-vs-rsyslog.sh</c> prints it), it bounds the rate
/// Vigie could reach on the same cores even if storage cost nothing.
/// Run: dotnet run -c Release --project bench/Vigie.Benchmarks -- syslog-stages FILE [SECONDS]
/// (FILE: one message per line, from bench/ingest/generate-syslog.py).
/// </summary>
internal static class SyslogStages
{
    public static int Run(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: syslog-stages FILE [SECONDS]  (FILE: one syslog message per line, from bench/ingest/generate-syslog.py)");
            return 2;
        }
        var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var messages = File.ReadAllLines(args[0]).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
        var context = new IngestContext(Guid.NewGuid(), "CHU-B", "bench-relay", "syslog-tcp", DateTimeOffset.UtcNow);
        var sigma = Path.Combine(SigmaBenchmarks.DataRoot(), "sigma", "rules");
        var engine = StreamDetector.Compile(SigmaRuleSet.Load([Path.Combine(sigma, "linux"), Path.Combine(sigma, "network")]));
        var evaluator = engine.CreateEvaluator();
        var events = messages.Select(m => IngestBatchReader.ReadSyslog(m, context, truncated: false).Document).ToArray();
        Console.WriteLine($"{messages.Length:N0} messages, {messages.Sum(m => (long)m.Length) / messages.Length} bytes on average; {engine.Rules.Count} rules");

        long sink = 0;
        Measure("parse (SyslogParser.Parse)", seconds, messages.Length, i => sink += SyslogParser.Parse(messages[i], context.Received).HasPriority ? 1 : 0);
        Measure("parse + ECS normalisation (as serve does per frame)", seconds, messages.Length,
            i => sink += IngestBatchReader.ReadSyslog(messages[i], context, truncated: false).Document.Timestamp.Ticks & 1);
        var matches = new List<SigmaRule>();
        Measure("Sigma evaluation, Linux and network rules", seconds, events.Length, i =>
        {
            matches.Clear();
            sink += evaluator.Evaluate(events[i], matches);
        });
        GC.KeepAlive(sink);
        return 0;
    }

    /// <summary>Runs <paramref name="step"/> over the messages for a warm-up second, then for <paramref name="seconds"/>, and prints CPU µs per message.</summary>
    private static void Measure(string name, double seconds, int count, Action<int> step)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }
        void For(double s, ref long done)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < s)
            {
                for (var i = 0; i < count; i++)
                    step(i);
                done += count;
            }
        }
        long warm = 0, n = 0;
        For(1, ref warm);
        var cpu0 = Cpu();
        var wall = Stopwatch.StartNew();
        For(seconds, ref n);
        var cpu = (Cpu() - cpu0).TotalMicroseconds;
        Console.WriteLine($"| {name} | {cpu / n:0.00} µs CPU per message | {n / (cpu / 1e6):N0} per CPU second | {n / wall.Elapsed.TotalSeconds:N0}/s wall |");
    }
}
