using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Core;
using Vigie.Core.Alerts;
using Vigie.Core.Establishments;
using Vigie.Core.Privacy;

namespace Vigie.Server.Cli;

/// <summary><c>vigie privacy simulate|scan|accesses</c>: privacy monitoring from a terminal.</summary>
internal static class PrivacyCommands
{
    public static Command Create()
    {
        var command = new Command("privacy", "Privacy monitoring of patient-record accesses: scan events, investigate users and patients, simulate a hospital.");
        command.Subcommands.Add(Simulate());
        command.Subcommands.Add(Scan());
        command.Subcommands.Add(Accesses());
        return command;
    }

    private static Command Simulate()
    {
        var output = new Option<string>("--out") { Required = true, Description = "JSON-lines file of record-access events to write.", HelpName = "FILE" };
        var days = new Option<int>("--days") { Description = "Days of traffic (default 14).", DefaultValueFactory = _ => 14, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Random seed (default 1).", DefaultValueFactory = _ => 1, HelpName = "N" };
        var establishment = new Option<string>("--establishment") { Description = "Establishment code of the hospital (default CHU-SIM).", DefaultValueFactory = _ => "CHU-SIM", HelpName = "CODE" };
        var start = new Option<DateTime?>("--start") { Description = "First day (UTC, default 14 days before today).", HelpName = "DATE" };
        var labels = new Option<string?>("--labels") { Description = "Also write the planted cases (kind, user, time, event ids) as JSON lines to this file.", HelpName = "FILE" };
        var command = new Command("simulate", "Write a simulated hospital's record traffic with planted inappropriate accesses.") { output, days, seed, establishment, start, labels };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(days);
            if (n is < 2 or > 366)
                throw new CliException("--days must be between 2 and 366", ExitCodes.Usage);
            var options = new HospitalSimulation.Options
            {
                Seed = parse.GetValue(seed),
                Days = n,
                LearningDays = Math.Max(1, n * 4 / 7),
                Establishment = parse.GetValue(establishment)!,
                Start = parse.GetValue(start) is { } s ? DateTime.SpecifyKind(s.Date, DateTimeKind.Utc) : DateTime.UtcNow.Date.AddDays(-n),
            };
            var sim = HospitalSimulation.Run(options);
            await using (var writer = new StreamWriter(parse.GetValue(output)!, false, new UTF8Encoding(false)))
            {
                foreach (var e in sim.Events)
                    await writer.WriteLineAsync(e.Json.AsMemory(), ct);
            }
            if (parse.GetValue(labels) is { } file)
            {
                await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
                foreach (var c in sim.Cases)
                {
                    var ids = sim.Events.Where(e => e.Case == c.Id).Select(e => e.Id).ToList();
                    await writer.WriteLineAsync(JsonSerializer.Serialize(new { @case = c.Id, kind = c.Kind, user = c.User, time = c.Time, events = ids }, OutputFormat.Json));
                }
            }
            Console.WriteLine($"{sim.Events.Count} accesses by {sim.StaffCount} staff over {n} days, {sim.Cases.Count} planted cases.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Scan()
    {
        var file = new Argument<string>("file") { Description = "JSON lines of record-access events ('-' for standard input)." };
        var import = new Option<bool>("--import") { Description = "Store the accesses in the privacy index and the detections as alerts (else print the detections)." };
        var output = new Option<string>("--output") { Description = "table (default) or jsonl: the detections, one line each.", DefaultValueFactory = _ => "table", HelpName = "FORMAT" };
        output.AcceptOnlyFromAmong("table", "jsonl");
        var command = new Command("scan", "Run the privacy rules and baselines over record-access events, in time order.") { file, import, output };
        var store = StoreOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var clock = Stopwatch.StartNew();
            var accesses = await ReadAsync(path, ct);
            var read = clock.Elapsed;
            if (parse.GetValue(import))
            {
                return await StoreSession.RunAsync(store.Configuration(parse), async sp =>
                {
                    var processor = sp.GetRequiredService<PrivacyProcessor>();
                    int detections = 0, created = 0, grouped = 0;
                    foreach (var chunk in accesses.Chunk(20_000))
                    {
                        var outcome = await processor.ProcessAsync(chunk, ct);
                        detections += outcome.Detections;
                        created += outcome.AlertsCreated;
                        grouped += outcome.AlertsGrouped;
                    }
                    Console.WriteLine($"{accesses.Count} accesses indexed, {detections} detections: {created} new alerts, {grouped} grouped into open alerts ({clock.Elapsed.TotalSeconds:0.0} s).");
                    return ExitCodes.Ok;
                }, ct);
            }
            var monitor = new PrivacyMonitor(_ => null, _ => "UTC");
            var found = new List<IncomingDetection>();
            var scan = Stopwatch.StartNew();
            foreach (var access in accesses.OrderBy(a => a.Time))
                found.AddRange(monitor.Process(access));
            scan.Stop();
            if (parse.GetValue(output) == "jsonl")
            {
                foreach (var d in found)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        rule_id = d.RuleId, title = d.Title, level = AlertBuilder.LevelName(d.Level), timestamp = d.Time, user = d.Field("user.name"),
                        event_ref = d.EventRef, risk_score = d.RiskScore, facts = d.Facts,
                    }, OutputFormat.Json));
                }
            }
            else
            {
                TextTable.Write(Console.Out, ["time", "user", "risk", "rule", "why"],
                    found.Select(d => (IReadOnlyList<string?>)[d.Time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), d.Field("user.name"),
                        d.RiskScore?.ToString(CultureInfo.InvariantCulture), d.Title, string.Join("; ", d.Facts)]));
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"vigie: {accesses.Count:N0} accesses read in {read.TotalSeconds:0.00} s, judged in {scan.Elapsed.TotalSeconds:0.00} s ({accesses.Count / Math.Max(scan.Elapsed.TotalSeconds, 1e-6):N0}/s), {found.Count:N0} detections"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<List<RecordAccess>> ReadAsync(string path, CancellationToken ct)
    {
        if (path != "-" && !File.Exists(path))
            throw new CliException($"file '{path}' does not exist", ExitCodes.Usage);
        using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);
        var list = new List<RecordAccess>();
        var number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            try
            {
                list.Add(RecordAccess.Parse(line, $"{Path.GetFileName(path)}:{number}"));
            }
            catch (VigieException e)
            {
                throw new CliException($"{path}: line {number}: {e.Message}");
            }
        }
        return list;
    }

    private static Command Accesses()
    {
        var user = new Option<string?>("--user") { Description = "Every access this user made.", HelpName = "USER" };
        var patient = new Option<string?>("--patient") { Description = "Everyone who accessed this patient (identifier or pp_ pseudonym).", HelpName = "ID" };
        var from = new Option<DateTime?>("--from") { Description = "Start (default 30 days ago).", HelpName = "TIME" };
        var to = new Option<DateTime?>("--to") { Description = "End (default now).", HelpName = "TIME" };
        var output = OutputFormat.Create();
        var command = new Command("accesses", "Investigate: a user's accesses, or a patient's accessors, on a timeline.") { user, patient, from, to, output };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            if ((parse.GetValue(user) is null) == (parse.GetValue(patient) is null))
                throw new CliException("give either --user or --patient", ExitCodes.Usage);
            var investigation = sp.GetRequiredService<PrivacyInvestigation>();
            IReadOnlyList<PrivacyAccess> items;
            if (parse.GetValue(user) is { } name)
            {
                var view = await investigation.UserAsync(name, parse.GetValue(from), parse.GetValue(to), AccessScope.Everything, AlertVisibility.Everything, ct);
                items = view.Items;
                if (!OutputFormat.IsJson(parse, output))
                    Console.WriteLine($"{view.User}: {view.Accesses} accesses to {view.Patients} patients, {view.Suspicious} suspicious, {view.Alerts.Count} privacy alerts.");
            }
            else
            {
                var view = await investigation.PatientAsync(parse.GetValue(patient), parse.GetValue(from), parse.GetValue(to), AccessScope.Everything, ct);
                items = view.Items;
                if (!OutputFormat.IsJson(parse, output))
                {
                    Console.WriteLine($"{view.Pseudonym}: {view.Accesses} accesses by {view.Accessors.Count} people.");
                    TextTable.Write(Console.Out, ["user", "accesses", "first", "last", "max risk"],
                        view.Accessors.Select(a => (IReadOnlyList<string?>)[a.User, a.Accesses.ToString(CultureInfo.InvariantCulture),
                            a.First.ToString("u", CultureInfo.InvariantCulture), a.Last.ToString("u", CultureInfo.InvariantCulture), a.MaxRisk?.ToString(CultureInfo.InvariantCulture)]));
                    Console.WriteLine();
                }
            }
            OutputFormat.Write(parse, output, items.Select(a => new { time = a.Time, user = a.UserName, patient = a.PatientPseudonym, establishment = a.Organization, action = a.Action,
                    purpose = a.Purpose, break_glass = a.BreakGlass, care_relationship = a.CareRelationship, risk_score = a.RiskScore,
                    facts = a.Facts is null ? [] : JsonSerializer.Deserialize<List<string>>(a.Facts) }),
                ["time (UTC)", "user", "patient", "action", "care", "risk", "why"],
                items.Select(a => (IReadOnlyList<string?>)[a.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), a.UserName, a.PatientPseudonym, a.Action,
                    a.CareRelationship, a.RiskScore?.ToString(CultureInfo.InvariantCulture),
                    a.Facts is null ? null : string.Join("; ", JsonSerializer.Deserialize<List<string>>(a.Facts) ?? [])]));
            return ExitCodes.Ok;
        });
        return command;
    }
}
