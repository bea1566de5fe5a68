using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Identity;
using Vigie.Core.Ingestion;
using Vigie.Core.Records;
using Vigie.Formats.Evtx;

namespace Vigie.Server.Demo;

/// <summary>
/// The traffic of <c>vigie demo</c>, started with it and stopping with it: syslog from the servers and firewalls of
/// three establishments, record reads by the demo clinicians through the records gateway (so every read is decided,
/// written to the audit ledger and watched by privacy monitoring), and, within the first minute and again every
/// quarter of an hour, planted scenarios: SSH password guessing then a successful sign-in, ransomware precursors
/// replayed from the Windows attack recordings of the shared data, a nurse breaking the glass to read a public
/// figure's record, and a physician of another hospital breaking the glass on several patients. Everything enters
/// through the real paths (syslog parsing and normalisation, the group-commit writer, the gateway), so detection,
/// correlation, privacy monitoring and alerting do their ordinary work on it.
/// </summary>
internal sealed partial class DemoTraffic(IServiceScopeFactory scopes, EventWriter writer, IngestStats stats, IConfiguration configuration,
    IHostApplicationLifetime lifetime, ILogger<DemoTraffic> logger) : BackgroundService
{
    /// <summary>The scenarios come back after this long, each time from a new address.</summary>
    public static readonly TimeSpan Cycle = TimeSpan.FromMinutes(15);

    /// <summary>When each planted scenario plays, in seconds after the start of a cycle.</summary>
    public static readonly (int At, string Name)[] Schedule =
    [
        (8, "password-guessing"),
        (16, "ransomware-precursors"),
        (24, "vip-record"),
        (32, "break-glass-abuse"),
    ];

    /// <summary>Windows attack recordings (SigmaHQ's regression samples) that ransomware operators' preparation looks like.</summary>
    public static readonly string[] RansomwarePrecursors =
    [
        "proc_creation_win_sc_stop_service",
        "proc_creation_win_wmic_uninstall_security_products",
        "proc_creation_win_lolbin_systemsettingsadminflows_defender_disable",
        "proc_creation_win_reg_add_safeboot",
        "proc_creation_win_schtasks_delete",
        "proc_creation_win_cipher_overwrite_deleted_data",
    ];

    private static readonly string[] Servers = ["srv-dpi-01", "srv-pacs-01", "srv-labo-02", "srv-rh-01"];
    private static readonly string[] Admins = ["admin.dpi", "admin.sys", "svc-backup"];

    private readonly Random _random = new(20261122);
    private Cast? _cast;
    private int _cycle;

    private sealed record Source(string Collector, Guid EstablishmentId, string Code);

    private sealed record Clinician(AccessSubject Subject, string Code, IReadOnlyList<string> Patients);

    private sealed record Cast(IReadOnlyDictionary<string, Source> Sources, IReadOnlyList<Clinician> Clinicians, string? Vip,
        IReadOnlyList<string> Patients, IReadOnlyList<string> Recordings)
    {
        /// <summary>The recordings' records as JSON, read from their files once and replayed every cycle.</summary>
        public Lazy<IReadOnlyList<byte[]>> RecordingEvents { get; } = new(() => ReadRecordings(Recordings));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // demo_traffic: false loads the demo without its traffic (a still store to look at, or to test against).
        if (configuration.GetValue<bool?>("demo_traffic") == false)
            return;
        // Traffic starts once the host listens, so the first console that opens sees it arrive.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (TaskCanceledException)
            {
                return;
            }
        }
        try
        {
            _cast = await ReadCastAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, "cast", e.GetType().Name);
            return;
        }
        LogStarted(logger, _cast.Sources.Count, _cast.Clinicians.Count, _cast.Recordings.Count);
        var begin = DateTime.UtcNow;
        var played = new HashSet<(int Cycle, string Name)>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var tick = 0;
        while (await WaitAsync(timer, stoppingToken))
        {
            tick++;
            var elapsed = DateTime.UtcNow - begin;
            _cycle = (int)(elapsed / Cycle);
            var second = (elapsed - _cycle * Cycle).TotalSeconds;
            await RunAsync("syslog", () => NoiseAsync(stoppingToken), stoppingToken);
            if (tick % 2 == 0)
                await RunAsync("chart-read", () => ChartReadAsync(stoppingToken), stoppingToken);
            foreach (var (at, name) in Schedule)
            {
                if (second >= at && played.Add((_cycle, name)))
                {
                    LogScenario(logger, name, _cycle + 1);
                    await RunAsync(name, () => ScenarioAsync(name, stoppingToken), stoppingToken);
                }
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One piece of traffic; a failure is logged (its kind, never its content) and the demo goes on.</summary>
    private async Task RunAsync(string what, Func<Task> work, CancellationToken ct)
    {
        try
        {
            await work();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFailed(logger, what, e.GetType().Name);
        }
    }

    private Task ScenarioAsync(string name, CancellationToken ct) => name switch
    {
        "password-guessing" => PasswordGuessingAsync(ct),
        "ransomware-precursors" => RansomwarePrecursorsAsync(ct),
        "vip-record" => VipRecordAsync(ct),
        "break-glass-abuse" => BreakGlassAbuseAsync(ct),
        _ => Task.CompletedTask,
    };

    // ------------------------------------------------------------------ syslog

    /// <summary>The everyday: administrators' SSH sessions, cron, sudo, and firewalls refusing the internet's probes.</summary>
    private async Task NoiseAsync(CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        foreach (var (collector, host) in new[] { ("syslog-chu-rabat", "fw-chu-rabat"), ("syslog-hr-kenitra", "fw-hr-kenitra"), ("syslog-clin-anfa", "fw-clin-anfa") })
        {
            var lines = new List<string>();
            var servers = collector == "syslog-chu-rabat" ? 3 : 1;
            for (var i = 0; i < servers; i++)
                lines.Add(ServerLine(now.AddMilliseconds(-_random.Next(900))));
            if (_random.Next(3) > 0)
                lines.Add(FirewallLine(host, now.AddMilliseconds(-_random.Next(900))));
            await SendAsync(collector, lines, ct);
        }
    }

    private string ServerLine(DateTime time)
    {
        var server = Servers[_random.Next(Servers.Length)];
        var admin = Admins[_random.Next(Admins.Length)];
        var pid = _random.Next(1000, 32000);
        return _random.Next(10) switch
        {
            0 or 1 => Rfc5424(time, 4, 6, server, "sshd", pid, $"Accepted publickey for {admin} from 10.20.1.{_random.Next(10, 40)} port {_random.Next(40000, 65000)} ssh2: ED25519 SHA256:{Token(43)}"),
            2 => Rfc5424(time, 4, 6, server, "sshd", pid, $"pam_unix(sshd:session): session closed for user {admin}"),
            3 or 4 => Rfc5424(time, 9, 6, server, "CRON", pid, $"({(admin == "svc-backup" ? "svc-backup" : "root")}) CMD (/usr/local/bin/{(server == "srv-pacs-01" ? "purge-cache" : "backup")}.sh)"),
            5 => Rfc5424(time, 10, 5, server, "sudo", pid, $"{admin} : TTY=pts/{_random.Next(4)} ; PWD=/home/{admin} ; USER=root ; COMMAND=/usr/bin/systemctl restart {(server == "srv-dpi-01" ? "dpi-api" : "nginx")}"),
            6 => Rfc5424(time, 4, 6, server, "sshd", pid, $"Invalid user {Pick("test", "oracle", "ubuntu", "pi", "guest")} from 45.{_random.Next(1, 254)}.{_random.Next(1, 254)}.{_random.Next(1, 254)} port {_random.Next(40000, 65000)}"),
            7 => Rfc5424(time, 3, 6, server, "systemd", 1, $"Started Session {_random.Next(100, 999)} of User {admin}."),
            _ => Rfc5424(time, 1, 6, server, "kernel", 0, $"nfs: server nas-{server[4..]} OK"),
        };
    }

    private string FirewallLine(string host, DateTime time)
    {
        var (port, name) = _random.Next(5) switch
        {
            0 => (3389, "RDP"),
            1 => (445, "SMB"),
            2 => (22, "SSH"),
            3 => (1433, "MSSQL"),
            _ => (23, "TELNET"),
        };
        var src = $"{Pick("185.220.101", "45.155.205", "193.32.162", "89.248.165")}.{_random.Next(1, 254)}";
        var dst = $"10.{(host == "fw-chu-rabat" ? 20 : host == "fw-hr-kenitra" ? 30 : 40)}.0.{_random.Next(2, 60)}";
        var stamp = time.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture).PadLeft(15);
        return $"<{16 * 8 + 4}>{stamp} {host} CEF:0|Fortinet|FortiGate|7.4.3|0000000013|{name} traffic denied|3|src={src} spt={_random.Next(1024, 65000)} dst={dst} dpt={port} proto=TCP act=deny dvchost={host}";
    }

    private static string Rfc5424(DateTime time, int facility, int severity, string host, string app, int pid, string message) =>
        $"<{facility * 8 + severity}>1 {time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {host} {app} {pid.ToString(CultureInfo.InvariantCulture)} - - {message}";

    /// <summary>Parses and normalises syslog lines as a listener of the collector would, and stores them through the writer.</summary>
    private async Task SendAsync(string collector, IReadOnlyList<string> lines, CancellationToken ct)
    {
        if (_cast is null || !_cast.Sources.TryGetValue(collector, out var source) || lines.Count == 0)
            return;
        var context = new IngestContext(source.EstablishmentId, source.Code, source.Collector, "syslog-demo", DateTimeOffset.UtcNow, "10.0.0.1");
        var events = lines.Select(l => IngestBatchReader.ReadSyslog(Encoding.UTF8.GetBytes(l), context, truncated: false)).ToList();
        stats.AddReceived(events.Count);
        await writer.EnqueueAsync(new EventBatch(events, source.Collector), ct);
    }

    private async Task PasswordGuessingAsync(CancellationToken ct)
    {
        // From a new address each cycle: eight refused passwords for root on the patient-record server, then one accepted.
        var attacker = $"185.220.101.{(37 + _cycle * 11) % 250 + 1}";
        var start = DateTime.UtcNow.AddSeconds(-12);
        var lines = new List<string>();
        for (var i = 0; i < 8; i++)
            lines.Add(Rfc5424(start.AddSeconds(i), 4, 4, "srv-dpi-01", "sshd", 4100 + i, $"Failed password for {(i % 3 == 0 ? "invalid user admin" : "root")} from {attacker} port {51000 + i * 7} ssh2"));
        lines.Add(Rfc5424(start.AddSeconds(10), 4, 6, "srv-dpi-01", "sshd", 4190, $"Accepted password for root from {attacker} port 51122 ssh2"));
        await SendAsync("syslog-chu-rabat", lines, ct);
    }

    // ------------------------------------------------------------------ windows

    /// <summary>Replays the Windows recordings as events of a file server of the Kenitra hospital, moved to now.</summary>
    private async Task RansomwarePrecursorsAsync(CancellationToken ct)
    {
        if (_cast is null || _cast.Recordings.Count == 0 || !_cast.Sources.TryGetValue("winlog-hr-kenitra", out var source))
            return;
        var context = new IngestContext(source.EstablishmentId, source.Code, source.Collector, "winlog-demo", DateTimeOffset.UtcNow);
        var events = new List<EventToStore>();
        var now = DateTime.UtcNow;
        foreach (var json in _cast.RecordingEvents.Value)
        {
            var e = IngestBatchReader.ReadJsonLine(json, events.Count + 1, context, out _);
            // The recordings are years old: each event is played as happening now, a few seconds apart.
            e.Timestamp = now.AddSeconds(-RansomwarePrecursors.Length * 3 + events.Count * 3);
            e[EventFields.Timestamp] = EventTime.Format(e.Timestamp);
            events.Add(new EventToStore(e.Timestamp, source.EstablishmentId, e));
        }
        stats.AddReceived(events.Count);
        await writer.EnqueueAsync(new EventBatch(events, source.Collector), ct);
    }

    // ------------------------------------------------------------------ records

    private static FhirRequestContext Request(string workstation, string purpose, string? justification) =>
        new("demo-" + Guid.NewGuid().ToString("N")[..12], workstation, purpose, justification, "http://localhost/fhir");

    /// <summary>A clinician opens the chart of one of their patients: the patient, then their observations and conditions.</summary>
    private async Task ChartReadAsync(CancellationToken ct)
    {
        var carers = _cast?.Clinicians.Where(c => c.Patients.Count > 0).ToList() ?? [];
        if (carers.Count == 0)
            return;
        var clinician = carers[_random.Next(carers.Count)];
        var patient = clinician.Patients[_random.Next(clinician.Patients.Count)];
        await using var scope = scopes.CreateAsyncScope();
        var gateway = scope.ServiceProvider.GetRequiredService<RecordGateway>();
        var context = Request($"10.20.3.{_random.Next(10, 90)}", PurposeOfUse.Treatment, null);
        await gateway.ReadAsync(clinician.Subject, context, "Patient", patient, ct);
        var type = _random.Next(2) == 0 ? "Observation" : "Condition";
        await gateway.SearchAsync(clinician.Subject, context, type, [new("patient", patient), new("_count", "10")], ct);
    }

    /// <summary>A nurse with no care relationship opens a public figure's record: refused, then the glass broken with a thin reason.</summary>
    private async Task VipRecordAsync(CancellationToken ct)
    {
        var nurse = _cast?.Clinicians.FirstOrDefault(c => c.Subject.UserName == "inf.benali");
        if (nurse is null || _cast?.Vip is not { } vip)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var gateway = scope.ServiceProvider.GetRequiredService<RecordGateway>();
        var workstation = "10.20.3.57";
        await gateway.ReadAsync(nurse.Subject, Request(workstation, PurposeOfUse.Treatment, null), "Patient", vip, ct);
        await gateway.ReadAsync(nurse.Subject, Request(workstation, PurposeOfUse.BreakTheGlass, "vérification du dossier"), "Patient", vip, ct);
        await gateway.SearchAsync(nurse.Subject, Request(workstation, PurposeOfUse.BreakTheGlass, "vérification du dossier"), "Condition", [new("patient", vip)], ct);
    }

    /// <summary>A physician of another hospital breaks the glass on three patients of the CHU within a minute, with no emergency.</summary>
    private async Task BreakGlassAbuseAsync(CancellationToken ct)
    {
        var physician = _cast?.Clinicians.FirstOrDefault(c => c.Subject.UserName == "dr.kettani");
        if (physician is null || _cast is null)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var gateway = scope.ServiceProvider.GetRequiredService<RecordGateway>();
        foreach (var patient in _cast.Patients.Where(p => p != _cast.Vip).Take(3))
            await gateway.ReadAsync(physician.Subject, Request("10.30.2.14", PurposeOfUse.BreakTheGlass, "suivi du patient"), "Patient", patient, ct);
    }

    // ------------------------------------------------------------------ cast

    private async Task<Cast> ReadCastAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        var establishments = await db.Establishments.AsNoTracking().ToDictionaryAsync(e => e.Id, e => e.Code, ct);
        var names = DemoCast.Collectors.Select(c => c.Name).ToList();
        var sources = (await db.Collectors.AsNoTracking().Where(c => names.Contains(c.Name) && c.RevokedAt == null).ToListAsync(ct))
            .ToDictionary(c => c.Name, c => new Source(c.Name, c.EstablishmentId, establishments[c.EstablishmentId]));

        var users = await db.Users.AsNoTracking().Include(u => u.Roles)
            .Where(u => u.PractitionerId != null && !u.Disabled).ToListAsync(ct);
        var clinicians = new List<Clinician>();
        foreach (var u in users.Where(u => u.HasRole(Role.Clinician)).OrderBy(u => u.Username, StringComparer.Ordinal))
        {
            var practitioner = u.PractitionerId;
            var patients = await db.CareRelationships.AsNoTracking().Where(c => c.PractitionerId == practitioner && c.Active)
                .Select(c => c.PatientId).Distinct().ToListAsync(ct);
            var subject = new AccessSubject(u.Id, u.Username, [Roles.Clinician], u.EstablishmentId, u.Profession, u.PractitionerId, null, null, u.DisplayName);
            clinicians.Add(new Clinician(subject, establishments[u.EstablishmentId], patients));
        }
        var vip = await db.PatientIdentities.AsNoTracking().Where(p => p.Vip).Select(p => p.PatientId).FirstOrDefaultAsync(ct);
        var all = await db.FhirResources.AsNoTracking().Where(r => r.ResourceType == "Patient" && !r.Deleted).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(ct);
        return new Cast(sources, clinicians, vip, all.Skip(1).ToList(), FindRecordings());
    }

    private static IReadOnlyList<byte[]> ReadRecordings(IReadOnlyList<string> files)
    {
        var records = new List<byte[]>();
        var buffer = new ArrayBufferWriter<byte>(4096);
        foreach (var file in files)
        {
            using var reader = EvtxReader.Open(file);
            foreach (var record in reader.ReadRecords())
            {
                buffer.ResetWrittenCount();
                IngestBatchReader.WriteEvtxJson(record, buffer);
                records.Add(buffer.WrittenSpan.ToArray());
            }
        }
        return records;
    }

    private IReadOnlyList<string> FindRecordings()
    {
        if (DemoData.Find(configuration) is not { } data)
            return [];
        var folder = Path.Combine(data, "sigma", "regression_data", "rules", "windows", "process_creation");
        return RansomwarePrecursors.Select(name => Path.Combine(folder, name)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.evtx")).Order(StringComparer.Ordinal).ToList();
    }

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    private string Token(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        return new string(chars);
    }

    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "Demo traffic started: {Collectors} collectors, {Clinicians} clinicians, {Recordings} Windows recordings")]
    private static partial void LogStarted(ILogger logger, int collectors, int clinicians, int recordings);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Demo scenario {Scenario} (cycle {Cycle})")]
    private static partial void LogScenario(ILogger logger, string scenario, int cycle);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "Demo traffic: {What} failed ({ExceptionType}); going on")]
    private static partial void LogFailed(ILogger logger, string what, string exceptionType);
}
