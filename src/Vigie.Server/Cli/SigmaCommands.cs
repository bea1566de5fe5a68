using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Sigma;
using Vigie.Sigma.Correlation;
using Vigie.Sigma.Events;
using Vigie.Sigma.Mapping;

namespace Vigie.Server.Cli;

/// <summary><c>vigie sigma check</c> and <c>vigie sigma scan</c>: load Sigma rules, run them over event files.</summary>
internal static class SigmaCommands
{

    public static Command Create()
    {
        var sigma = new Command("sigma", "Sigma detection rules: check them, scan events with them.");
        sigma.Subcommands.Add(CreateCheck());
        sigma.Subcommands.Add(CreateScan());
        return sigma;
    }

    private static Command CreateCheck()
    {
        var paths = new Argument<string[]>("paths") { Description = "Rule files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output") { Description = "text (default) or json." };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("check", "Load every rule under the paths; report what loaded and each rejected file with its reason.");
        command.Arguments.Add(paths);
        command.Options.Add(output);
        command.SetAction((parse, _) =>
        {
            var set = SigmaRuleSet.Load(parse.GetValue(paths)!);
            if (parse.GetValue(output) == "json")
            {
                using var stream = Console.OpenStandardOutput();
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    json.WriteStartObject();
                    json.WriteNumber("loaded", set.Rules.Count);
                    json.WriteNumber("correlations", set.Correlations.Count);
                    json.WriteNumber("filters", set.Filters.Count);
                    json.WriteNumber("files", set.FileCount);
                    json.WriteStartArray("rejected");
                    foreach (var e in set.Errors)
                    {
                        json.WriteStartObject();
                        json.WriteString("path", e.Path);
                        json.WriteString("error", e.Message);
                        json.WriteNumber("line", e.Line);
                        if (e.RuleId is not null)
                            json.WriteString("rule_id", e.RuleId);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                stream.Write("\n"u8);
            }
            else
            {
                Console.WriteLine($"{set.FileCount} files: {set.Rules.Count} rules loaded, {set.Correlations.Count} correlations, {set.Filters.Count} filters, {set.Errors.Count} rejected");
                foreach (var e in set.Errors)
                    Console.WriteLine($"rejected {e}");
            }
            return Task.FromResult(set.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed);
        });
        return command;
    }

    private static Command CreateScan()
    {
        var rules = new Option<string[]>("--rules") { Description = "Rule files or folders.", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var input = new Option<string[]>("--input") { Description = "Event files or folders (searched recursively): .evtx, and JSON (object, array, lines, concatenated objects).", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output") { Description = "table (default), jsonl (one line per match) or csv (a timeline sorted by event time)." };
        output.AcceptOnlyFromAmong("table", "jsonl", "csv");
        var minLevel = new Option<string?>("--min-level") { Description = "Only rules of this level or above: informational, low, medium, high, critical." };
        minLevel.AcceptOnlyFromAmong("informational", "low", "medium", "high", "critical");
        var status = new Option<string[]>("--status") { Description = "Only rules of these statuses: stable, test, experimental, deprecated, unsupported.", AllowMultipleArgumentsPerToken = true };
        var mapping = new Option<string>("--mapping") { Description = "Field names of the events: windows (EVTX/Sysmon names, default), ecs, none." };
        mapping.AcceptOnlyFromAmong("windows", "ecs", "none");
        var anyLogsource = new Option<bool>("--any-logsource") { Description = "Run every rule on every event, whatever its logsource." };
        var command = new Command("scan", "Evaluate Sigma rules (and correlations) over events read from files.");
        command.Options.Add(rules);
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(minLevel);
        command.Options.Add(status);
        command.Options.Add(mapping);
        command.Options.Add(anyLogsource);
        command.SetAction((parse, cancellation) => Task.FromResult(Scan(
            parse.GetValue(rules)!, parse.GetValue(input)!, parse.GetValue(output) ?? "table", parse.GetValue(minLevel),
            parse.GetValue(status) ?? [], parse.GetValue(mapping) ?? "windows", parse.GetValue(anyLogsource), cancellation)));
        return command;
    }

    /// <summary>Events of one input read together, evaluated on the thread pool, then reported in input order.</summary>
    private sealed class ScanBatch(string path, int firstIndex, int capacity)
    {
        public string Path { get; } = path;
        /// <summary>The input position of the first event (event_index).</summary>
        public int FirstIndex { get; } = firstIndex;
        public List<SigmaInputEvent> Events { get; } = new(capacity);
        public List<SigmaRule>?[] Results { get; } = new List<SigmaRule>?[capacity];
        /// <summary>Buffers that no later batch reads, released once this one is reported.</summary>
        public List<IDisposable> Release { get; } = [];
        public Task? Evaluation { get; set; }
    }

    private sealed record Hit(SigmaRule? Rule, SigmaCorrelationMatch? Correlation, string Input, int EventIndex, DateTimeOffset? Time, string? RecordId, ISigmaEvent? Event);

    private static int Scan(string[] rulePaths, string[] inputs, string output, string? minLevel, string[] statuses, string mappingName,
        bool anyLogsource, CancellationToken cancellation)
    {
        var set = SigmaRuleSet.Load(rulePaths);
        foreach (var e in set.Errors)
            Console.Error.WriteLine($"vigie: rejected {e}");
        var level = minLevel is null ? SigmaLevel.None : Enum.Parse<SigmaLevel>(minLevel, ignoreCase: true);
        var wanted = statuses.Select(s => Enum.TryParse<SigmaStatus>(s, true, out var st) ? st
            : throw new CliException($"unknown status '{s}' (stable, test, experimental, deprecated, unsupported)", ExitCodes.Usage)).ToHashSet();
        bool Selected(SigmaLevel ruleLevel, SigmaStatus ruleStatus) => ruleLevel >= level && (wanted.Count == 0 || wanted.Contains(ruleStatus));
        // Rules that feed a selected correlation run even when not selected themselves (a low-level "failed
        // logon" behind a high-level brute-force correlation); only selected rules are reported.
        var feeding = set.Correlations.Where(c => Selected(c.Level, c.Status)).SelectMany(c => c.Rules).ToHashSet(StringComparer.Ordinal);
        var engine = SigmaEngine.Compile(set, new SigmaEngineOptions
        {
            FieldMapping = SigmaFieldMappings.Find(mappingName)!,
            Logsources = anyLogsource ? null : SigmaLogsourceCatalog.CreateDefault(),
            RuleSelector = r => Selected(r.Level, r.Status) || (r.Id is not null && feeding.Contains(r.Id)) || (r.Name is not null && feeding.Contains(r.Name)),
        });
        if (engine.Rules.Count == 0)
            throw new CliException("no rule to run: none loaded, or none selected by --min-level/--status");

        // Events are evaluated in batches on every core, then reported in input order. Each worker of a batch borrows
        // an evaluator from this pool and returns it: an evaluator per pool thread instead built its rule buckets again
        // on every new thread (twice the CPU and 1 GiB instead of 270 MiB for the 1 M-record benchmark when the pool
        // grew to 32 threads).
        var evaluators = new System.Collections.Concurrent.ConcurrentBag<SigmaEvaluator>();
        var parallelism = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount };
        var hits = new List<Hit>();
        var correlationInputs = new List<Hit>();
        var byLevel = new Dictionary<SigmaLevel, int>();
        var reportedCount = 0;
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        using var jsonLines = new SigmaJsonLines(stdout.BaseStream);
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        long events = 0;
        const int BatchSize = 4096;
        var owned = new List<IDisposable>();
        var files = ExpandInputs(inputs);
        SigmaEventInputs.Warn = message => Console.Error.WriteLine($"vigie: {message}");
        // Batches are evaluated on the thread pool (both cores) while this thread reads the next batch and reports the
        // previous one: evaluating, then reporting, one batch at a time left a core idle for a third of a scan.
        ScanBatch? inFlight = null;
        foreach (var path in files)
        {
            var batch = new ScanBatch(path, 0, BatchSize);
            foreach (var e in SigmaEventInputs.Read(path, owned))
            {
                batch.Events.Add(e);
                if (batch.Events.Count == BatchSize)
                {
                    Dispatch(batch);
                    batch = new ScanBatch(path, batch.FirstIndex + BatchSize, BatchSize);
                }
            }
            if (batch.Events.Count > 0)
                Dispatch(batch);
        }
        if (inFlight is not null)
            Report(inFlight);
        foreach (var buffer in owned)
            buffer.Dispose();

        void Dispatch(ScanBatch batch)
        {
            cancellation.ThrowIfCancellationRequested();
            // The document being read may still back the next batch's first events: keep the last one; the others are
            // released once this batch is reported.
            if (owned.Count > 1)
            {
                batch.Release.AddRange(owned.Take(owned.Count - 1));
                owned.RemoveRange(0, owned.Count - 1);
            }
            var batchEvents = batch.Events;
            var results = batch.Results;
            batch.Evaluation = Task.Run(() => Parallel.For(0, batchEvents.Count, parallelism,
                () => evaluators.TryTake(out var evaluator) ? evaluator : engine.CreateEvaluator(),
                (i, _, evaluator) =>
                {
                    var matches = new List<SigmaRule>();
                    results[i] = evaluator.Evaluate(batchEvents[i].Event, matches) > 0 ? matches : null;
                    return evaluator;
                },
                evaluators.Add), cancellation);
            var previous = inFlight;
            inFlight = batch;
            if (previous is not null)
                Report(previous);
        }

        void Report(ScanBatch batch)
        {
            batch.Evaluation!.GetAwaiter().GetResult();
            var path = batch.Path;
            var index = batch.FirstIndex;
            for (var i = 0; i < batch.Events.Count; i++)
            {
                if (batch.Results[i] is not { } matched)
                    continue;
                var live = batch.Events[i].Event;
                DateTimeOffset? time = TryGetTime(live, out var t) ? t : null;
                var recordId = SigmaEventTime.GetRecordId(live);
                // Only events that correlations or the CSV timeline read again outlive the batch;
                // JSON lines are written at once, so memory stays flat whatever the number of matches.
                ISigmaEvent? kept = null;
                foreach (var rule in matched)
                {
                    var reportedRule = !engine.IsCorrelationOnly(rule) && Selected(rule.Level, rule.Status);
                    var feedsCorrelation = (rule.Id is not null && feeding.Contains(rule.Id)) || (rule.Name is not null && feeding.Contains(rule.Name));
                    if (reportedRule)
                    {
                        byLevel[rule.Level] = byLevel.GetValueOrDefault(rule.Level) + 1;
                        reportedCount++;
                    }
                    if (reportedRule && output == "jsonl")
                    {
                        jsonLines.WriteMatch(rule, path, index + i, time, recordId);
                    }
                    else if (reportedRule)
                    {
                        kept ??= output == "csv" ? batch.Events[i].Persist() : null;
                        hits.Add(new Hit(rule, null, path, index + i, time, recordId, kept));
                    }
                    if (feedsCorrelation)
                    {
                        kept ??= batch.Events[i].Persist();
                        correlationInputs.Add(new Hit(rule, null, path, index + i, time, recordId, kept));
                    }
                }
            }
            events += batch.Events.Count;
            foreach (var buffer in batch.Release)
                buffer.Dispose();
            if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(2))
            {
                lastProgress = clock.Elapsed;
                Console.Error.WriteLine($"vigie: {events:N0} events scanned ({events / clock.Elapsed.TotalSeconds:N0}/s), {reportedCount:N0} matches");
            }
        }

        var correlator = new SigmaCorrelator(set);
        var correlated = new List<Hit>();
        if (correlator.HasCorrelations)
        {
            // Correlations need event-time order across every input.
            var fired = new List<SigmaCorrelationMatch>();
            foreach (var hit in correlationInputs.Where(h => h.Time is not null).OrderBy(h => h.Time))
                correlator.Process(hit.Rule!, hit.Event!, hit.Time!.Value, fired);
            correlator.Flush(fired);
            correlated.AddRange(fired.Select(f => new Hit(null, f, "", -1, f.Time, null, null)));
        }
        var selectedCorrelations = correlated.Where(c => Selected(c.Correlation!.Correlation.Level, c.Correlation.Correlation.Status)).ToList();
        foreach (var c in selectedCorrelations)
        {
            byLevel[c.Correlation!.Correlation.Level] = byLevel.GetValueOrDefault(c.Correlation.Correlation.Level) + 1;
            reportedCount++;
        }
        var reported = hits.Concat(selectedCorrelations).ToList();

        switch (output)
        {
            case "jsonl":
                foreach (var c in selectedCorrelations)
                    jsonLines.WriteCorrelation(c.Correlation!, CorrelationTypeName(c.Correlation!.Correlation.Type));
                jsonLines.Flush();
                break;
            case "csv":
                WriteCsv(stdout, reported);
                break;
            default:
                WriteTable(stdout, reported, events, engine.Rules.Count, clock.Elapsed);
                break;
        }
        stdout.Flush();
        using (var process = Process.GetCurrentProcess())
        {
            var levels = byLevel.OrderByDescending(l => l.Key).Select(l => $"{LevelName(l.Key)} {l.Value:N0}");
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"vigie: {files.Count:N0} files, {events:N0} records, {reportedCount:N0} matches ({string.Join(", ", levels)}) in {clock.Elapsed.TotalSeconds:N1} s ({events / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s; process CPU {process.TotalProcessorTime.TotalSeconds:N1} s)"));
        }
        return ExitCodes.Ok;
    }

    /// <summary>Files named as they are; folders searched recursively for every readable kind (.evtx, .json, .jsonl, .ndjson).</summary>
    private static List<string> ExpandInputs(string[] inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                files.Add(input);
            }
            else if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => SigmaEventInputs.FolderExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                throw new CliException($"{input}: no such file or folder");
            }
        }
        return files;
    }

    private static string LevelName(SigmaLevel level) => SigmaJsonLines.LevelName(level);

    /// <summary>The event's time: read from an EVTX record's typed value when it has one, parsed from text otherwise.</summary>
    private static bool TryGetTime(ISigmaEvent e, out DateTimeOffset time) =>
        e is SigmaEvtxEvent evtx ? evtx.TryGetTime(out time) : SigmaEventTime.TryGetTime(e, out time);

    private static string CorrelationTypeName(SigmaCorrelationType type) => type switch
    {
        SigmaCorrelationType.EventCount => "event_count",
        SigmaCorrelationType.ValueCount => "value_count",
        SigmaCorrelationType.Temporal => "temporal",
        SigmaCorrelationType.TemporalOrdered => "temporal_ordered",
        SigmaCorrelationType.ValueSum => "value_sum",
        SigmaCorrelationType.ValueAvg => "value_avg",
        SigmaCorrelationType.ValuePercentile => "value_percentile",
        _ => type.ToString(),
    };

    private static readonly string[] HostFields = ["Computer", "host.name", "Hostname", "ComputerName", "hostname"];
    private static readonly string[] SourceFields = ["Channel", "winlog.channel", "event.dataset", "eventSource", "type"];
    private static readonly string[] EventIdFields = ["EventID", "event.code", "eventName"];
    private static readonly string[] KeyFields =
    [
        "CommandLine", "process.command_line", "Image", "process.executable", "TargetFilename", "file.path", "TargetObject", "registry.path",
        "Details", "ParentImage", "QueryName", "dns.question.name", "DestinationIp", "destination.ip", "ScriptBlockText", "ImageLoaded",
        "PipeName", "ServiceName", "TargetUserName", "IpAddress", "eventName", "userIdentity.arn",
    ];

    private static string? First(ISigmaEvent? e, IEnumerable<string> fields)
    {
        if (e is null)
            return null;
        foreach (var f in fields)
        {
            if (e.TryGetField(f, out var v) && v.Text is { Length: > 0 } text)
                return text;
        }
        return null;
    }

    private static string KeyValues(Hit hit)
    {
        if (hit.Correlation is { } c)
            return string.Join("; ", c.Correlation.GroupBy.Select((g, i) => $"{g}={c.Group[i]}")) + $"; value={c.Value.ToString(CultureInfo.InvariantCulture)}";
        var e = hit.Event!;
        var fields = hit.Rule!.Fields.Count > 0 ? hit.Rule.Fields.Concat(KeyFields) : KeyFields;
        var parts = new List<string>();
        foreach (var f in fields.Distinct(StringComparer.Ordinal))
        {
            if (parts.Count == 3)
                break;
            if (e.TryGetField(f, out var v) && v.Text is { Length: > 0 } text)
                parts.Add($"{f}={text}");
        }
        return string.Join("; ", parts);
    }

    private static void WriteCsv(StreamWriter writer, List<Hit> hits)
    {
        writer.WriteLine("timestamp,host,channel,event_id,level,rule_title,details,input,event_index,record_id");
        foreach (var hit in hits.OrderBy(h => h.Time ?? DateTimeOffset.MaxValue).ThenBy(h => h.Input, StringComparer.Ordinal).ThenBy(h => h.EventIndex))
        {
            var level = hit.Rule?.Level ?? hit.Correlation!.Correlation.Level;
            var title = hit.Rule?.Title ?? hit.Correlation!.Correlation.Title;
            string?[] cells =
            [
                hit.Time is { } t ? SigmaEventTime.Format(t) : "",
                First(hit.Event, HostFields),
                hit.Correlation is null ? First(hit.Event, SourceFields) : "correlation:" + CorrelationTypeName(hit.Correlation.Correlation.Type),
                First(hit.Event, EventIdFields),
                LevelName(level),
                title,
                KeyValues(hit),
                hit.Input,
                hit.EventIndex >= 0 ? hit.EventIndex.ToString(CultureInfo.InvariantCulture) : "",
                hit.RecordId,
            ];
            writer.WriteLine(string.Join(',', cells.Select(Csv)));
        }
    }

    private static string Csv(string? cell)
    {
        cell ??= "";
        cell = cell.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        return cell.AsSpan().IndexOfAny(",\"") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }

    private static void WriteTable(StreamWriter writer, List<Hit> hits, long events, int rules, TimeSpan elapsed)
    {
        foreach (var hit in hits)
        {
            var level = LevelName(hit.Rule?.Level ?? hit.Correlation!.Correlation.Level);
            var time = hit.Time is { } t ? SigmaEventTime.Format(t) : "-";
            var where = hit.Correlation is null ? $"{hit.Input}#{hit.EventIndex}" : "correlation";
            var title = hit.Rule?.Title ?? hit.Correlation!.Correlation.Title;
            var details = KeyValues(hit);
            if (details.Length > 160)
                details = details[..157] + "...";
            writer.WriteLine($"{time,-24}  {level,-13}  {title}  [{where}]  {details}");
        }
        writer.WriteLine($"{hits.Count} matches in {events} events, {rules} rules, {elapsed.TotalSeconds:N2} s");
    }
}
