using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigie.Core.Events;
using Vigie.Formats.Auditd;
using Vigie.Formats.Cef;
using Vigie.Formats.Syslog;
using F = Vigie.Core.Events.EventFields;

namespace Vigie.Core.Ingestion;

/// <summary>
/// Turns what collectors send (syslog messages, JSON events of many shapes, audit records) into
/// <see cref="EventDocument"/>s carrying Elastic Common Schema fields beside their original fields and raw text.
/// Something that cannot be read becomes an event of kind <c>pipeline_error</c> with the reason: never dropped.
/// </summary>
public static partial class EventNormaliser
{
    /// <summary>Raw text kept in <c>event.original</c> is cut at this many characters.</summary>
    public const int MaxOriginalLength = 64 * 1024;

    private static void Common(EventDocument e, IngestContext context, DateTimeOffset? time)
    {
        var t = time ?? context.Received;
        e.Timestamp = t.UtcDateTime;
        e[F.Timestamp] = EventTime.Format(t);
        e[F.Ingested] = EventTime.Format(context.Received);
        e[F.Organization] = context.EstablishmentCode;
        e[F.AgentName] = context.Collector;
        e.SetDefault("agent.type", context.Transport);
        if (context.SenderAddress is not null)
            e.SetDefault("log.source.address", context.SenderAddress);
        e.SetDefault(F.Kind, "event");
    }

    private static string Cut(string text) => text.Length <= MaxOriginalLength ? text : text[..MaxOriginalLength];

    /// <summary>A line or message that could not be read, kept with the reason.</summary>
    public static EventDocument PipelineError(string raw, string reason, IngestContext context)
    {
        var e = new EventDocument(12);
        e[F.Kind] = F.PipelineError;
        e[F.Dataset] = "vigie.pipeline";
        e[F.Module] = "vigie";
        e[F.ErrorMessage] = reason;
        e[F.Original] = Cut(raw);
        Common(e, context, null);
        return e;
    }

    // ---------------------------------------------------------------- syslog

    /// <summary>A syslog message: header fields in ECS <c>log.syslog.*</c>, CEF and audit payloads and sshd sign-ins recognised.</summary>
    public static EventDocument FromSyslog(SyslogMessage m, string raw, IngestContext context)
    {
        var e = new EventDocument(40);
        e[F.Dataset] = "syslog";
        e[F.Module] = "syslog";
        e[F.Original] = Cut(raw);
        var message = m.Format == SyslogFormat.Rfc3164 && m.Message.StartsWith(' ') ? m.Message[1..] : m.Message;
        e.Set(F.Message, message);
        if (m.HasPriority)
        {
            e.Set("log.syslog.priority", m.Priority);
            e.Set("log.syslog.facility.code", m.Facility);
            e["log.syslog.facility.name"] = SyslogNames.Facility(m.Facility);
            e.Set("log.syslog.severity.code", m.Severity);
            e["log.syslog.severity.name"] = SyslogNames.Severity(m.Severity);
        }
        if (m.Format == SyslogFormat.Rfc5424)
        {
            e.Set("log.syslog.version", 1);
            e.Set("log.syslog.msgid", m.MsgId);
            foreach (var element in m.StructuredData)
            {
                foreach (var (name, value) in element.Parameters)
                    e["log.syslog.structured_data." + element.Id + "." + name] = value;
            }
        }
        e.Set("log.syslog.appname", m.ProgramName);
        e.Set("log.syslog.procid", m.ProcId);
        // rsyslog's own property names, which Sigma's Linux logsources look for.
        e.Set("program", m.ProgramName);
        e.Set("process.name", m.ProgramName);
        if (long.TryParse(m.ProcId, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            e.Set("process.pid", pid);
        var host = m.Hostname ?? context.SenderAddress;
        e.Set("host.hostname", host);
        e.Set(F.HostName, host);
        if (m.InvalidUtf8)
            e.SetList(F.Tags, "invalid_utf8");

        // "host CEF:0|…": the 3164 reading takes "CEF:" for the tag; the record is the tag and the message together.
        var cefText = m.Tag == "CEF:" ? m.Tag + m.Message : message;
        if (CefParser.IndexOfCef(cefText) >= 0)
        {
            if (CefParser.TryParse(cefText, out var cef, out var error))
                AddCef(e, cef!);
            else
                e[F.ErrorMessage] = "CEF: " + error;
        }
        else if (AuditdParser.LooksLikeAudit(message) && AuditdParser.TryParse(message, out var record, out _))
        {
            AddAudit(e, record!);
        }
        else if (m.ProgramName == "sshd")
        {
            AddSshd(e, message);
        }
        Common(e, context, m.Timestamp);
        return e;
    }

    private static void AddCef(EventDocument e, CefMessage cef)
    {
        e[F.Dataset] = "cef";
        e[F.Module] = "cef";
        e["cef.version"] = cef.Version;
        e["cef.device.vendor"] = cef.DeviceVendor;
        e["cef.device.product"] = cef.DeviceProduct;
        e["cef.device.version"] = cef.DeviceVersion;
        e["cef.device.event_class_id"] = cef.SignatureId;
        e["cef.name"] = cef.Name;
        e["cef.severity"] = cef.Severity;
        e.Set("observer.vendor", cef.DeviceVendor);
        e.Set("observer.product", cef.DeviceProduct);
        e.Set("observer.version", cef.DeviceVersion);
        e.Set(F.Code, cef.SignatureId);
        e.Set(F.Message, cef.Name);
        if (long.TryParse(cef.Severity, NumberStyles.Integer, CultureInfo.InvariantCulture, out var severity))
            e.Set(F.Severity, severity);
        foreach (var (key, value) in cef.Extensions)
        {
            e["cef.extensions." + key] = value;
            switch (key)
            {
                case "src": e.Set(F.SourceIp, value); break;
                case "spt": SetNumber(e, "source.port", value); break;
                case "dst": e.Set(F.DestinationIp, value); break;
                case "dpt": SetNumber(e, "destination.port", value); break;
                case "suser": e.Set(F.UserName, value); break;
                case "duser": e.Set("destination.user.name", value); break;
                case "act": e.Set(F.Action, value); break;
                case "proto": e.Set("network.transport", value.ToLowerInvariant()); break;
                case "shost": e.Set("source.domain", value); break;
                case "dhost": e.Set("destination.domain", value); break;
                case "dvchost": e.Set("observer.hostname", value); break;
                case "request": e.Set("url.original", value); break;
                case "requestMethod": e.Set("http.request.method", value); break;
                case "outcome": e.Set(F.Outcome, value.ToLowerInvariant()); break;
                case "fname": e.Set("file.name", value); break;
                case "sproc": e.Set("process.name", value); break;
                case "msg": e.Set(F.Message, value); break;
            }
        }
    }

    [GeneratedRegex(@"^(?<result>Failed|Accepted) (?<method>\S+) for (?:invalid user )?(?<user>\S+) from (?<ip>[0-9a-fA-F:.]+) port (?<port>\d+)")]
    private static partial Regex SshdSignIn();

    [GeneratedRegex(@"^Invalid user (?<user>\S*) from (?<ip>[0-9a-fA-F:.]+)")]
    private static partial Regex SshdInvalidUser();

    private static void AddSshd(EventDocument e, string message)
    {
        var m = SshdSignIn().Match(message);
        if (m.Success)
        {
            e.SetList(F.Category, "authentication");
            e.SetList(F.Type, "start");
            e[F.Action] = "ssh_login";
            e[F.Outcome] = m.Groups["result"].Value == "Accepted" ? "success" : "failure";
            e["user.name"] = m.Groups["user"].Value;
            e[F.SourceIp] = m.Groups["ip"].Value;
            SetNumber(e, "source.port", m.Groups["port"].Value);
            e["system.auth.ssh.method"] = m.Groups["method"].Value;
            return;
        }
        m = SshdInvalidUser().Match(message);
        if (m.Success)
        {
            e.SetList(F.Category, "authentication");
            e[F.Action] = "ssh_login";
            e[F.Outcome] = "failure";
            e.Set("user.name", m.Groups["user"].Value);
            e[F.SourceIp] = m.Groups["ip"].Value;
        }
    }

    // ---------------------------------------------------------------- auditd

    /// <summary>An auditd line read from a file (not through syslog).</summary>
    public static EventDocument FromAuditLine(string line, IngestContext context)
    {
        if (!AuditdParser.TryParse(line, out var record, out var error))
            return PipelineError(line, "auditd: " + error, context);
        var e = new EventDocument(40);
        e[F.Original] = Cut(line);
        AddAudit(e, record!);
        Common(e, context, record!.Time);
        return e;
    }

    private static void AddAudit(EventDocument e, AuditdRecord r)
    {
        e[F.Dataset] = "auditd.log";
        e[F.Module] = "auditd";
        e["host.os.type"] = "linux";
        // Original names (as Sigma's auditd rules write them) beside ECS.
        e["type"] = r.Type;
        e["msg"] = r.Stamp;
        e["auditd.message_type"] = r.Type.ToLowerInvariant();
        e.Set("auditd.sequence", r.Serial);
        var args = new List<string>();
        foreach (var (key, value) in r.Fields)
        {
            e[key] = value;
            switch (key)
            {
                case "pid": SetNumber(e, "process.pid", value); break;
                case "ppid": SetNumber(e, "process.parent.pid", value); break;
                case "exe": e.Set("process.executable", value); break;
                case "comm": e.Set("process.name", value); break;
                case "cwd": e.Set("process.working_directory", value); break;
                case "uid": e.Set("user.id", value); break;
                case "auid": e.Set("user.audit.id", value); break;
                case "syscall": e.Set("auditd.data.syscall", value); break;
                case "success": e[F.Outcome] = value == "yes" ? "success" : "failure"; break;
                case "name": e.Set("file.path", value); break;
                case "key": if (value != "(null)") e.SetList(F.Tags, value); break;
                case "acct": e.Set(F.UserName, value); break;
                case "addr": if (value is not "?" and not "") e.Set(F.SourceIp, value); break;
                case "res": e[F.Outcome] = value is "success" or "yes" ? "success" : "failure"; break;
            }
            if (key.Length >= 2 && key[0] == 'a' && char.IsAsciiDigit(key[1]))
            {
                e["auditd.data." + key] = value;
                if (r.Type == "EXECVE")
                    args.Add(value);
            }
        }
        if (r.Type == "EXECVE" && args.Count > 0)
        {
            e[F.Category] = new List<object?> { "process" };
            e[F.Type] = new List<object?> { "start" };
            e["process.args"] = args.Cast<object?>().ToList();
            e["process.command_line"] = string.Join(' ', args);
        }
        e.SetDefault(F.Action, r.Type.ToLowerInvariant());
    }

    // ---------------------------------------------------------------- JSON

    /// <summary>A JSON event of any shape: ECS, Windows (flat, EVTX-rendered or Sentinel), Suricata EVE, CloudTrail, FHIR AuditEvent, or anything else.</summary>
    public static EventDocument FromJson(JsonElement root, string raw, IngestContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return PipelineError(raw, $"a JSON {root.ValueKind.ToString().ToLowerInvariant()} is not an event (an object is expected)", context);
        var e = new EventDocument(48);
        DateTimeOffset? time;
        if (root.TryGetProperty("resourceType"u8, out var rt) && rt.ValueEquals("AuditEvent"u8))
        {
            // Under fhir.: the resource's own "source" and "type" would otherwise read as ECS source.* and event types.
            e.AddFlattened(root, "fhir");
            time = FhirAudit(e, root);
        }
        else if (root.TryGetProperty("event_type"u8, out var et) && et.ValueKind == JsonValueKind.String && root.TryGetProperty("timestamp"u8, out _))
        {
            e.AddFlattened(root);
            time = Eve(e);
        }
        else if (root.TryGetProperty("eventSource"u8, out _) && root.TryGetProperty("eventName"u8, out _) && (root.TryGetProperty("eventVersion"u8, out _) || root.TryGetProperty("awsRegion"u8, out _)))
        {
            e.AddFlattened(root);
            time = CloudTrail(e);
        }
        else if (root.TryGetProperty("Event"u8, out var ev) && ev.ValueKind == JsonValueKind.Object && ev.TryGetProperty("System"u8, out var system))
        {
            AddEvtxJson(e, system, ev);
            time = Windows(e);
        }
        else if (root.TryGetProperty("EventID"u8, out _) || root.TryGetProperty("winlog"u8, out _) || (root.TryGetProperty("Channel"u8, out _) && root.TryGetProperty("EventId"u8, out _)))
        {
            e.AddFlattened(root);
            if (e.GetText("EventData") is { Length: > 1 } data && data[0] == '{')
            {
                // Sentinel and other forwarders ship Sysmon's EventData as a JSON string.
                try
                {
                    using var doc = JsonDocument.Parse(data);
                    e.Remove("EventData");
                    e.AddFlattened(doc.RootElement);
                }
                catch (JsonException)
                {
                    e[F.ErrorMessage] = "EventData is not valid JSON; kept as text";
                }
            }
            time = Windows(e);
        }
        else if (root.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && root.TryGetProperty("msg"u8, out var msg) && msg.ValueKind == JsonValueKind.String
            && msg.GetString()!.StartsWith("audit(", StringComparison.Ordinal))
        {
            e.AddFlattened(root);
            e[F.Dataset] = "auditd.log";
            e[F.Module] = "auditd";
            e["host.os.type"] = "linux";
            time = null;
        }
        else
        {
            e.AddFlattened(root);
            time = GenericTime(e);
            e.SetDefault(F.Dataset, "generic");
        }
        e[F.Original] = Cut(raw);
        Common(e, context, time);
        return e;
    }

    private static readonly string[] TimeFields = ["@timestamp", "timestamp", "TimeCreated", "SystemTime", "UtcTime", "eventTime", "EventTime", "time", "TimeGenerated", "recorded", "date"];

    private static DateTimeOffset? GenericTime(EventDocument e)
    {
        foreach (var field in TimeFields)
        {
            if (!e.TryGet(field, out var v))
                continue;
            if (v is string s && EventTime.TryParse(s, out var t))
                return t;
            if (v is long l && l > 0)
                return EventTime.FromEpoch(l);
            if (v is double d && d > 0)
                return EventTime.FromEpoch(d);
        }
        return null;
    }

    private static void SetNumber(EventDocument e, string name, string? value)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            e.Set(name, n);
        else if (value is { Length: > 2 } && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out n))
            e.Set(name, n);
    }

    private static void Copy(EventDocument e, string from, string to)
    {
        if (e.GetText(from) is { Length: > 0 } v && v != "-")
            e.SetDefault(to, v);
    }

    // Windows ------------------------------------------------------------

    private static void AddEvtxJson(EventDocument e, JsonElement system, JsonElement ev)
    {
        foreach (var p in system.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                // <Provider Name=…/>, <TimeCreated SystemTime=…/>, <Execution ProcessID=…/>: attributes by their EVTX names.
                foreach (var a in p.Value.EnumerateObject())
                {
                    var name = a.Name.TrimStart('#', '@');
                    if (name == "#text" || name.Length == 0)
                        continue;
                    e[p.Name == "Provider" ? "Provider_" + name : name] = EventDocument.FromJson(a.Value);
                }
            }
            else
            {
                e[p.Name] = EventDocument.FromJson(p.Value);
            }
        }
        foreach (var section in new[] { "EventData", "UserData" })
        {
            if (!ev.TryGetProperty(section, out var data) || data.ValueKind != JsonValueKind.Object)
                continue;
            if (section == "UserData")
            {
                foreach (var child in data.EnumerateObject())
                {
                    if (child.Value.ValueKind == JsonValueKind.Object)
                        e.AddFlattened(child.Value);
                    break;
                }
            }
            else
            {
                e.AddFlattened(data);
            }
        }
    }

    private static DateTimeOffset? Windows(EventDocument e)
    {
        var channel = e.GetText("Channel") ?? e.GetText("winlog.channel");
        var id = e.GetText("EventID") ?? e.GetText("EventId") ?? e.GetText("winlog.event_id");
        var sysmon = channel is not null && channel.Contains("Sysmon", StringComparison.OrdinalIgnoreCase);
        e[F.Module] = sysmon ? "sysmon" : "windows";
        e[F.Dataset] = channel switch
        {
            null => "windows.event",
            "Security" => "windows.security",
            "System" => "windows.system",
            "Application" => "windows.application",
            _ when sysmon => "windows.sysmon_operational",
            _ when channel.Contains("PowerShell", StringComparison.OrdinalIgnoreCase) => "windows.powershell_operational",
            _ => "windows." + channel.ToLowerInvariant().Replace('/', '_').Replace(' ', '_').Replace('-', '_'),
        };
        e.Set("winlog.channel", channel);
        e.Set(F.Code, id);
        SetNumber(e, "winlog.event_id", id);
        Copy(e, "Provider_Name", "winlog.provider_name");
        Copy(e, "SourceName", "winlog.provider_name");
        Copy(e, "Provider", "winlog.provider_name");
        Copy(e, "Computer", F.HostName);
        Copy(e, "Hostname", F.HostName);
        Copy(e, "ComputerName", F.HostName);
        Copy(e, "Computer", "winlog.computer_name");
        Copy(e, "EventRecordID", "winlog.record_id");
        e["host.os.type"] = "windows";
        var number = int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
        if (sysmon)
            SysmonFields(e, number);
        else if (channel == "Security")
            SecurityFields(e, number);
        Copy(e, "User", F.UserName);
        Copy(e, "SubjectUserName", F.UserName);
        Copy(e, "SubjectDomainName", "user.domain");
        Copy(e, "SubjectUserSid", "user.id");
        Copy(e, "Message", F.Message);
        // The record's own time first (System/TimeCreated); Sysmon's UtcTime only when the record has none.
        foreach (var field in new[] { "@timestamp", "TimeCreated", "SystemTime", "TimeGenerated", "UtcTime" })
        {
            if (e.GetText(field) is { } text && EventTime.TryParse(text, out var t))
                return t;
        }
        return GenericTime(e);
    }

    private static void ProcessFields(EventDocument e, string image, string commandLine, string pid, string parentImage, string parentCommandLine, string parentPid)
    {
        Copy(e, image, "process.executable");
        Copy(e, commandLine, "process.command_line");
        SetNumber(e, "process.pid", e.GetText(pid));
        Copy(e, parentImage, "process.parent.executable");
        Copy(e, parentCommandLine, "process.parent.command_line");
        SetNumber(e, "process.parent.pid", e.GetText(parentPid));
        if (e.GetText("process.executable") is { } exe)
            e.Set("process.name", exe[(exe.LastIndexOfAny(['\\', '/']) + 1)..]);
    }

    private static void SysmonFields(EventDocument e, int id)
    {
        switch (id)
        {
            case 1:
                e[F.Category] = new List<object?> { "process" };
                e[F.Type] = new List<object?> { "start" };
                e[F.Action] = "process-created";
                ProcessFields(e, "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
                Copy(e, "OriginalFileName", "process.pe.original_file_name");
                Copy(e, "CurrentDirectory", "process.working_directory");
                break;
            case 3:
                e[F.Category] = new List<object?> { "network" };
                e[F.Type] = new List<object?> { "connection", "start" };
                e[F.Action] = "network-connection-detected";
                ProcessFields(e, "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
                Copy(e, "SourceIp", F.SourceIp);
                SetNumber(e, "source.port", e.GetText("SourcePort"));
                Copy(e, "DestinationIp", F.DestinationIp);
                SetNumber(e, "destination.port", e.GetText("DestinationPort"));
                Copy(e, "DestinationHostname", "destination.domain");
                if (e.GetText("Protocol") is { } proto)
                    e["network.transport"] = proto.ToLowerInvariant();
                break;
            case 11:
                e[F.Category] = new List<object?> { "file" };
                e[F.Type] = new List<object?> { "creation" };
                e[F.Action] = "file-created";
                ProcessFields(e, "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
                Copy(e, "TargetFilename", "file.path");
                break;
            case 22:
                e[F.Category] = new List<object?> { "network" };
                e[F.Action] = "dns-query";
                ProcessFields(e, "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
                Copy(e, "QueryName", "dns.question.name");
                break;
            default:
                ProcessFields(e, "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
                break;
        }
    }

    private static void SecurityFields(EventDocument e, int id)
    {
        switch (id)
        {
            case 4624 or 4625 or 4648:
                e[F.Category] = new List<object?> { "authentication" };
                e[F.Type] = new List<object?> { "start" };
                e[F.Action] = id switch { 4624 => "logged-in", 4625 => "logon-failed", _ => "logged-in-explicit" };
                e[F.Outcome] = id == 4625 ? "failure" : "success";
                Copy(e, "TargetUserName", F.UserName);
                Copy(e, "TargetDomainName", "user.domain");
                Copy(e, "IpAddress", F.SourceIp);
                SetNumber(e, "source.port", e.GetText("IpPort"));
                Copy(e, "WorkstationName", "source.domain");
                break;
            case 4688:
                e[F.Category] = new List<object?> { "process" };
                e[F.Type] = new List<object?> { "start" };
                e[F.Action] = "created-process";
                ProcessFields(e, "NewProcessName", "CommandLine", "NewProcessId", "ParentProcessName", "ParentCommandLine", "ProcessId");
                break;
            case 4689:
                e[F.Category] = new List<object?> { "process" };
                e[F.Type] = new List<object?> { "end" };
                e[F.Action] = "exited-process";
                ProcessFields(e, "ProcessName", "CommandLine", "ProcessId", "ParentProcessName", "ParentCommandLine", "ParentProcessId");
                break;
            case 5156 or 5157:
                e[F.Category] = new List<object?> { "network" };
                e[F.Type] = new List<object?> { "connection", id == 5156 ? "allowed" : "denied" };
                e[F.Action] = id == 5156 ? "network-connection-permitted" : "network-connection-blocked";
                e[F.Outcome] = id == 5156 ? "success" : "failure";
                Copy(e, "SourceAddress", F.SourceIp);
                SetNumber(e, "source.port", e.GetText("SourcePort"));
                Copy(e, "DestAddress", F.DestinationIp);
                SetNumber(e, "destination.port", e.GetText("DestPort"));
                Copy(e, "Application", "process.executable");
                SetNumber(e, "process.pid", e.GetText("ProcessID") ?? e.GetText("ProcessId"));
                if (e.GetText("Protocol") is "6")
                    e["network.transport"] = "tcp";
                else if (e.GetText("Protocol") is "17")
                    e["network.transport"] = "udp";
                break;
            case 1102:
                e[F.Category] = new List<object?> { "iam" };
                e[F.Action] = "audit-log-cleared";
                break;
            case 4720 or 4722 or 4725 or 4726 or 4738:
                e[F.Category] = new List<object?> { "iam" };
                e[F.Type] = new List<object?> { "user" };
                Copy(e, "TargetUserName", "user.target.name");
                break;
        }
    }

    // Suricata EVE --------------------------------------------------------

    private static DateTimeOffset? Eve(EventDocument e)
    {
        e[F.Module] = "suricata";
        e[F.Dataset] = "suricata.eve";
        e["observer.type"] = "ids";
        e["observer.vendor"] = "OISF";
        e["observer.product"] = "Suricata";
        e[F.Category] = new List<object?> { "network" };
        var type = e.GetText("event_type");
        Copy(e, "src_ip", F.SourceIp);
        SetNumber(e, "source.port", e.GetText("src_port"));
        Copy(e, "dest_ip", F.DestinationIp);
        SetNumber(e, "destination.port", e.GetText("dest_port"));
        if (e.GetText("proto") is { } proto)
            e["network.transport"] = proto.ToLowerInvariant();
        Copy(e, "app_proto", "network.protocol");
        Copy(e, "community_id", "network.community_id");
        Copy(e, "in_iface", "observer.ingress.interface.name");
        Copy(e, "host", "observer.hostname");
        e[F.Type] = new List<object?> { "info" };
        switch (type)
        {
            case "alert":
                e[F.Kind] = "alert";
                e[F.Category] = new List<object?> { "network", "intrusion_detection" };
                e[F.Type] = new List<object?> { e.GetText("alert.action") == "blocked" ? "denied" : "allowed" };
                Copy(e, "alert.signature", "rule.name");
                Copy(e, "alert.signature_id", "rule.id");
                Copy(e, "alert.category", "rule.category");
                Copy(e, "alert.action", F.Action);
                Copy(e, "alert.signature", F.Message);
                if (e.TryGet("alert.severity", out var severity) && severity is long s)
                    e.Set(F.Severity, s);
                break;
            case "dns":
                Copy(e, "dns.rrname", "dns.question.name");
                Copy(e, "dns.rrtype", "dns.question.type");
                Copy(e, "dns.rcode", "dns.response_code");
                e[F.Action] = "dns";
                break;
            case "http":
                Copy(e, "http.hostname", "url.domain");
                Copy(e, "http.url", "url.original");
                Copy(e, "http.http_method", "http.request.method");
                Copy(e, "http.http_user_agent", "user_agent.original");
                if (e.TryGet("http.status", out var status) && status is long st)
                    e.Set("http.response.status_code", st);
                e[F.Action] = "http";
                break;
            case "tls":
                Copy(e, "tls.sni", "tls.client.server_name");
                Copy(e, "tls.version", "tls.version");
                e[F.Action] = "tls";
                break;
            case "flow" or "netflow":
                e[F.Type] = new List<object?> { "connection", "end" };
                if (e.TryGet("flow.bytes_toserver", out var ts) && ts is long bts)
                    e.Set("source.bytes", bts);
                if (e.TryGet("flow.bytes_toclient", out var tc) && tc is long btc)
                    e.Set("destination.bytes", btc);
                e[F.Action] = type;
                break;
            default:
                e.Set(F.Action, type);
                break;
        }
        return e.GetText("timestamp") is { } text && EventTime.TryParse(text, out var t) ? t : null;
    }

    // CloudTrail -----------------------------------------------------------

    private static DateTimeOffset? CloudTrail(EventDocument e)
    {
        e[F.Module] = "aws";
        e[F.Dataset] = "aws.cloudtrail";
        e["cloud.provider"] = "aws";
        Copy(e, "awsRegion", "cloud.region");
        Copy(e, "recipientAccountId", "cloud.account.id");
        Copy(e, "eventName", F.Action);
        Copy(e, "eventSource", "event.provider");
        Copy(e, "eventID", "event.id");
        Copy(e, "sourceIPAddress", F.SourceIp);
        Copy(e, "userAgent", "user_agent.original");
        Copy(e, "userIdentity.userName", F.UserName);
        if (!e.Contains(F.UserName) && e.GetText("userIdentity.arn") is { } arn)
            e[F.UserName] = arn[(arn.LastIndexOf('/') + 1)..];
        Copy(e, "userIdentity.principalId", "user.id");
        Copy(e, "userIdentity.arn", "aws.cloudtrail.user_identity.arn");
        Copy(e, "userIdentity.type", "aws.cloudtrail.user_identity.type");
        Copy(e, "errorCode", "aws.cloudtrail.error_code");
        Copy(e, "errorMessage", "aws.cloudtrail.error_message");
        e[F.Outcome] = e.Contains("errorCode") ? "failure" : "success";
        e[F.Category] = new List<object?> { "configuration" };
        return e.GetText("eventTime") is { } t && EventTime.TryParse(t, out var time) ? time : GenericTime(e);
    }

    // FHIR AuditEvent (IHE BALP) ---------------------------------------------

    private static DateTimeOffset? FhirAudit(EventDocument e, JsonElement root)
    {
        e[F.Module] = "fhir";
        e[F.Dataset] = "fhir.audit";
        e[F.Category] = new List<object?> { "database" };
        var action = e.GetText("fhir.action");
        e[F.Type] = new List<object?>
        {
            action switch { "C" => "creation", "R" => "access", "U" => "change", "D" => "deletion", _ => "info" },
        };
        if (root.TryGetProperty("subtype"u8, out var subtypes) && subtypes.ValueKind == JsonValueKind.Array)
        {
            foreach (var subtype in subtypes.EnumerateArray())
            {
                if (subtype.TryGetProperty("code"u8, out var code) && code.ValueKind == JsonValueKind.String)
                {
                    e[F.Action] = code.GetString();
                    break;
                }
            }
        }
        e.SetDefault(F.Action, action switch { "C" => "create", "R" => "read", "U" => "update", "D" => "delete", "E" => "execute", _ => null });
        var outcome = e.GetText("fhir.outcome");
        e[F.Outcome] = outcome is null ? "unknown" : outcome == "0" ? "success" : "failure";
        if (root.TryGetProperty("agent"u8, out var agents) && agents.ValueKind == JsonValueKind.Array)
        {
            // The requestor is the user; without one (a server-side record), the first agent that names someone.
            foreach (var requestorOnly in new[] { true, false })
            {
                foreach (var agent in agents.EnumerateArray())
                {
                    var requestor = agent.TryGetProperty("requestor"u8, out var r) && r.ValueKind == JsonValueKind.True;
                    if (requestorOnly && !requestor)
                        continue;
                    if (agent.TryGetProperty("network"u8, out var network) && network.TryGetProperty("address"u8, out var address) && address.ValueKind == JsonValueKind.String)
                        e.SetDefault(requestor || requestorOnly ? F.SourceIp : "destination.address", address.GetString());
                    if (agent.TryGetProperty("who"u8, out var who))
                    {
                        if (who.TryGetProperty("identifier"u8, out var identifier) && identifier.TryGetProperty("value"u8, out var value) && value.ValueKind == JsonValueKind.String)
                            e.SetDefault(F.UserName, value.GetString());
                        if (who.TryGetProperty("display"u8, out var display) && display.ValueKind == JsonValueKind.String)
                            e.SetDefault("user.full_name", display.GetString());
                    }
                    if (agent.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String)
                        e.SetDefault("user.full_name", name.GetString());
                }
                if (e.Contains(F.UserName))
                    break;
            }
        }
        if (root.TryGetProperty("entity"u8, out var entities) && entities.ValueKind == JsonValueKind.Array)
        {
            foreach (var entity in entities.EnumerateArray())
            {
                if (entity.TryGetProperty("what"u8, out var what) && what.TryGetProperty("reference"u8, out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    var text = reference.GetString()!;
                    if (text.StartsWith("Patient/", StringComparison.Ordinal))
                        e.SetDefault("fhir.patient", text);
                    else
                        e.SetDefault("fhir.resource", text);
                }
            }
        }
        Copy(e, "fhir.source.observer.display", "observer.name");
        return e.GetText("fhir.recorded") is { } t && EventTime.TryParse(t, out var time) ? time : null;
    }
}
