namespace Vigie.Sigma.Mapping;

/// <summary>
/// Which events belong to which logsource: for each product, category or service, alternatives of field
/// constraints (<c>Channel=Microsoft-Windows-Sysmon/Operational;EventID=1</c>). A rule runs only on events
/// that satisfy every part of its logsource. A rule whose logsource the catalog does not define runs only
/// on events that no definition claims, and is reported.
/// </summary>
public sealed class SigmaLogsourceCatalog
{
    private readonly Dictionary<(string? Product, string? Category, string? Service), List<Alternative>> _definitions = [];
    private readonly List<string> _fields = [];

    /// <summary>One alternative: every constraint holds (field value, case-insensitive, among the allowed values; <c>*</c>: present).</summary>
    internal sealed record Alternative(IReadOnlyList<(int Field, string[] Values)> Constraints);

    private readonly List<(string Field, string[] Deciding)> _anchors = [];

    /// <summary>The fields whose values decide an event's logsource, in a fixed order.</summary>
    public IReadOnlyList<string> DiscriminatorFields => _fields;

    /// <summary>Anchors, in the order they are tried: see <see cref="Anchor"/>.</summary>
    public IReadOnlyList<(string Field, string[] Deciding)> Anchors => _anchors;

    /// <summary>
    /// Declares that an event carrying <paramref name="field"/> has its logsource decided by that field and
    /// <paramref name="deciding"/> alone (Windows: <c>Channel</c>, <c>EventID</c>, Sysmon's <c>EventType</c>),
    /// so the engine reads three fields per event instead of every discriminator of the catalog.
    /// </summary>
    public SigmaLogsourceCatalog Anchor(string field, params string[] deciding)
    {
        _anchors.Add((field, deciding));
        return this;
    }

    /// <summary>
    /// Defines a product (category and service null), a category or a service (optionally per product).
    /// Each alternative reads <c>Field=value|value;Field2=value</c>; <c>Field=*</c> asks only that the field exist.
    /// </summary>
    public SigmaLogsourceCatalog Define(string? product, string? category, string? service, params string[] alternatives)
    {
        ArgumentNullException.ThrowIfNull(alternatives);
        var key = (product, category, service);
        if (!_definitions.TryGetValue(key, out var list))
            _definitions[key] = list = [];
        foreach (var text in alternatives)
        {
            var constraints = new List<(int, string[])>();
            foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                    throw new ArgumentException($"constraint '{part}' must read Field=value", nameof(alternatives));
                var field = part[..eq];
                var index = _fields.IndexOf(field);
                if (index < 0)
                {
                    index = _fields.Count;
                    _fields.Add(field);
                }
                constraints.Add((index, part[(eq + 1)..].Split('|').Select(v => v.ToLowerInvariant()).ToArray()));
            }
            list.Add(new Alternative(constraints));
        }
        return this;
    }

    /// <summary>
    /// The definitions a logsource must all satisfy, or null with the part the catalog does not know.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<Alternative>>? Resolve(SigmaLogsource logsource, out string? unknown)
    {
        var parts = new List<IReadOnlyList<Alternative>>();
        unknown = null;
        if (logsource.Category is { } category)
        {
            if (Find((logsource.Product, category, null)) is { } c)
                parts.Add(c);
            else if (Find((null, category, null)) is { } generic)
                parts.Add(generic);
            else
                unknown = $"category '{category}'";
        }
        if (logsource.Service is { } service)
        {
            if (Find((logsource.Product, null, service)) is { } s)
                parts.Add(s);
            else if (Find((null, null, service)) is { } generic)
                parts.Add(generic);
            else
                unknown ??= $"service '{service}'";
        }
        if (logsource.Product is { } product)
        {
            if (Find((product, null, null)) is { } p)
                parts.Add(p);
            else if (parts.Count == 0)
                unknown ??= $"product '{product}'";
        }
        return unknown is null && parts.Count > 0 ? parts : null;
    }

    /// <summary>Every definition, for deciding whether any claims an event.</summary>
    internal IEnumerable<IReadOnlyList<Alternative>> All => _definitions.Values;

    private List<Alternative>? Find((string?, string?, string?) key) => _definitions.TryGetValue(key, out var list) ? list : null;

    internal static bool Satisfies(IReadOnlyList<Alternative> definition, string?[] values)
    {
        foreach (var alternative in definition)
        {
            var ok = true;
            foreach (var (field, allowed) in alternative.Constraints)
            {
                var actual = values[field];
                if (actual is null || !(allowed is ["*"] || Contains(allowed, actual)))
                {
                    ok = false;
                    break;
                }
            }
            if (ok)
                return true;
        }
        return false;
    }

    private static bool Contains(string[] allowed, string actual)
    {
        // List values (ECS event.category: ["process"]) arrive joined with '\n'.
        if (actual.Contains('\n', StringComparison.Ordinal))
            return actual.Split('\n').Any(a => Array.IndexOf(allowed, a) >= 0);
        return Array.IndexOf(allowed, actual) >= 0;
    }

    /// <summary>
    /// Windows (EVTX channels and Sysmon event ids, and their Winlogbeat/ECS forms), Linux (auditd, Sysmon for
    /// Linux, syslog programs), macOS, web servers, proxies, DNS, Zeek, and the cloud audit logs of AWS, Azure,
    /// GCP, Microsoft 365 and Okta, after the Sigma taxonomy appendix.
    /// </summary>
    public static SigmaLogsourceCatalog CreateDefault()
    {
        const string sysmon = "Microsoft-Windows-Sysmon/Operational";
        var c = new SigmaLogsourceCatalog();
        c.Anchor("Channel", "EventID", "EventType");
        c.Anchor("winlog.channel", "event.code", "EventType");
        c.Define("windows", null, null, "Channel=*", "winlog.channel=*", "host.os.type=windows");
        void Sysmon(string category, string ids, string? ecsCategory = null, string? extra = null)
        {
            var alternatives = new List<string> { $"Channel={sysmon};EventID={ids}{extra}", $"winlog.channel={sysmon};event.code={ids}{extra}" };
            if (ecsCategory is not null)
                alternatives.Add(ecsCategory);
            c.Define("windows", category, null, [.. alternatives]);
        }
        c.Define("windows", "process_creation", null,
            $"Channel={sysmon};EventID=1", "Channel=Security;EventID=4688",
            $"winlog.channel={sysmon};event.code=1", "winlog.channel=Security;event.code=4688",
            "event.category=process;event.type=start;host.os.type=windows");
        Sysmon("file_change", "2");
        Sysmon("network_connection", "3", "event.category=network;event.type=connection|start;host.os.type=windows");
        Sysmon("sysmon_status", "4|16");
        Sysmon("process_termination", "5", "event.category=process;event.type=end;host.os.type=windows");
        Sysmon("driver_load", "6", "event.category=driver;host.os.type=windows");
        Sysmon("image_load", "7", "event.category=library;host.os.type=windows");
        Sysmon("create_remote_thread", "8");
        Sysmon("raw_access_thread", "9");
        Sysmon("process_access", "10");
        Sysmon("file_event", "11", "event.category=file;event.type=creation;host.os.type=windows");
        Sysmon("registry_add", "12", extra: ";EventType=CreateKey");
        Sysmon("registry_delete", "12", extra: ";EventType=DeleteKey|DeleteValue");
        Sysmon("registry_set", "13", "event.category=registry;event.type=change;host.os.type=windows");
        Sysmon("registry_rename", "14");
        Sysmon("registry_event", "12|13|14", "event.category=registry;host.os.type=windows");
        Sysmon("create_stream_hash", "15");
        Sysmon("pipe_created", "17|18");
        Sysmon("wmi_event", "19|20|21");
        Sysmon("dns_query", "22", "event.category=network;dns.question.name=*;host.os.type=windows");
        Sysmon("file_delete", "23|26", "event.category=file;event.type=deletion;host.os.type=windows");
        Sysmon("clipboard_capture", "24");
        Sysmon("process_tampering", "25");
        Sysmon("file_delete_detected", "26");
        Sysmon("file_block_executable", "27");
        Sysmon("file_block_shredding", "28");
        Sysmon("file_executable_detected", "29");
        Sysmon("sysmon_error", "255");
        c.Define("windows", "file_access", null, "Channel=Microsoft-Windows-Kernel-File/Analytic", "event.category=file;event.type=access;host.os.type=windows");
        c.Define("windows", "file_rename", null, "Channel=Microsoft-Windows-Kernel-File/Analytic;EventID=19|27", "event.category=file;event.type=change;host.os.type=windows");
        c.Define("windows", "ps_module", null, "Channel=Microsoft-Windows-PowerShell/Operational|PowerShellCore/Operational;EventID=4103",
            "winlog.channel=Microsoft-Windows-PowerShell/Operational;event.code=4103");
        c.Define("windows", "ps_script", null, "Channel=Microsoft-Windows-PowerShell/Operational|PowerShellCore/Operational;EventID=4104",
            "winlog.channel=Microsoft-Windows-PowerShell/Operational;event.code=4104");
        c.Define("windows", "ps_classic_start", null, "Channel=Windows PowerShell;EventID=400", "winlog.channel=Windows PowerShell;event.code=400");
        c.Define("windows", "ps_classic_provider_start", null, "Channel=Windows PowerShell;EventID=600", "winlog.channel=Windows PowerShell;event.code=600");
        c.Define("windows", "ps_classic_script", null, "Channel=Windows PowerShell;EventID=800", "winlog.channel=Windows PowerShell;event.code=800");

        void Service(string service, params string[] channels)
        {
            var list = string.Join('|', channels);
            c.Define("windows", null, service, $"Channel={list}", $"winlog.channel={list}");
        }
        Service("security", "Security");
        Service("system", "System");
        Service("application", "Application");
        Service("sysmon", sysmon);
        Service("powershell", "Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational");
        Service("powershell-classic", "Windows PowerShell");
        Service("taskscheduler", "Microsoft-Windows-TaskScheduler/Operational");
        Service("wmi", "Microsoft-Windows-WMI-Activity/Operational");
        Service("windefend", "Microsoft-Windows-Windows Defender/Operational");
        Service("dns-server", "DNS Server");
        Service("dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical");
        Service("dns-client", "Microsoft-Windows-DNS Client Events/Operational", "Microsoft-Windows-DNS-Client/Operational");
        Service("driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational");
        Service("firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall");
        Service("bits-client", "Microsoft-Windows-Bits-Client/Operational");
        Service("codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational");
        Service("applocker", "Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL",
            "Microsoft-Windows-AppLocker/Packaged app-Deployment", "Microsoft-Windows-AppLocker/Packaged app-Execution");
        Service("msexchange-management", "MSExchange Management");
        Service("printservice-admin", "Microsoft-Windows-PrintService/Admin");
        Service("printservice-operational", "Microsoft-Windows-PrintService/Operational");
        Service("smbclient-security", "Microsoft-Windows-SmbClient/Security");
        Service("smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity");
        Service("smbserver-connectivity", "Microsoft-Windows-SMBServer/Connectivity");
        Service("security-mitigations", "Microsoft-Windows-Security-Mitigations/Kernel Mode", "Microsoft-Windows-Security-Mitigations/User Mode");
        Service("terminalservices-localsessionmanager", "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational");
        Service("ldap", "Microsoft-Windows-LDAP-Client/Debug");
        Service("ldap_debug", "Microsoft-Windows-LDAP-Client/Debug");
        Service("ntlm", "Microsoft-Windows-NTLM/Operational");
        Service("diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational");
        Service("openssh", "OpenSSH/Operational");
        Service("appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational");
        Service("appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational");
        Service("appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin");
        Service("lsa-server", "Microsoft-Windows-LSA/Operational");
        Service("capi2", "Microsoft-Windows-CAPI2/Operational");
        Service("certificateservicesclient-lifecycle-system", "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational");
        Service("shell-core", "Microsoft-Windows-Shell-Core/Operational");
        Service("iis-configuration", "Microsoft-IIS-Configuration/Operational");
        Service("microsoft-servicebus-client", "Microsoft-ServiceBus-Client");
        Service("servicebus-client", "Microsoft-ServiceBus-Client");
        Service("dhcp", "Microsoft-Windows-DHCP-Server/Operational");
        Service("bitlocker", "Microsoft-Windows-BitLocker/BitLocker Management");
        Service("vhdmp", "Microsoft-Windows-VHDMP/Operational");
        Service("ntfs", "Microsoft-Windows-Ntfs/Operational");
        Service("hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker");
        Service("kernel-shimengine", "Microsoft-Windows-Kernel-ShimEngine/Operational");

        // Linux: Sysmon for Linux, auditd (raw records or Auditbeat), syslog programs.
        c.Define("linux", null, null, "Channel=Linux-Sysmon/Operational", "host.os.type=linux", "type=*;msg=*", "program=*", "event.module=auditd");
        c.Define("linux", "process_creation", null, "Channel=Linux-Sysmon/Operational;EventID=1", "event.category=process;event.type=start;host.os.type=linux");
        c.Define("linux", "network_connection", null, "Channel=Linux-Sysmon/Operational;EventID=3", "event.category=network;host.os.type=linux");
        c.Define("linux", "file_event", null, "Channel=Linux-Sysmon/Operational;EventID=11", "event.category=file;host.os.type=linux");
        c.Define("linux", "file_delete", null, "Channel=Linux-Sysmon/Operational;EventID=23", "event.category=file;event.type=deletion;host.os.type=linux");
        c.Define("linux", null, "auditd", "type=syscall|execve|path|cwd|proctitle|config_change|user_cmd|user_login|user_auth|user_acct|add_user|add_group|service_start|service_stop|sockaddr|anom_abend|user_start|user_end|cred_acq|login|avc|system_boot|system_shutdown|tty|user_tty|netfilter_cfg|bprm_fcaps|kern_module",
            "event.module=auditd");
        foreach (var program in new[] { "sshd", "sudo", "cron", "auth", "syslog", "vsftpd", "clamav", "guacamole" })
            c.Define("linux", null, program, $"program={program}", $"process.name={program}", $"event.dataset=system.{program}");
        c.Define("macos", null, null, "host.os.type=macos", "host.os.family=darwin");
        c.Define("macos", "process_creation", null, "event.category=process;event.type=start;host.os.type=macos");
        c.Define("macos", "file_event", null, "event.category=file;host.os.type=macos");

        // Web, proxy, DNS, firewall, Zeek.
        c.Define(null, "webserver", null, "cs-method=*", "c-uri=*", "cs-uri-stem=*", "event.dataset=apache.access|nginx.access|iis.access");
        c.Define(null, "proxy", null, "c-uri=*;r-dns=*", "c-useragent=*", "event.dataset=squid.log|zscaler.web");
        c.Define(null, "dns", null, "query=*", "event.dataset=zeek.dns");
        c.Define(null, "firewall", null, "event.category=network;event.type=connection|denied|allowed", "dst_port=*");
        c.Define(null, null, "apache", "event.dataset=apache.access|apache.error");
        c.Define(null, null, "nginx", "event.dataset=nginx.access|nginx.error");
        foreach (var zeek in new[] { "smb_files", "http", "dns", "dce_rpc", "x509", "rdp", "kerberos", "conn" })
            c.Define("zeek", null, zeek, $"_path={zeek}", $"event.dataset=zeek.{zeek}");

        // Cloud audit logs: raw records carry a distinctive field; Filebeat/ECS records a dataset.
        c.Define("aws", null, "cloudtrail", "eventSource=*;eventName=*", "event.dataset=aws.cloudtrail");
        c.Define("azure", null, "activitylogs", "event.dataset=azure.activitylogs", "operationName=*;resourceId=*");
        c.Define("azure", null, "auditlogs", "event.dataset=azure.auditlogs", "activityDisplayName=*");
        c.Define("azure", null, "signinlogs", "event.dataset=azure.signinlogs", "appDisplayName=*;ResultType=*");
        c.Define("azure", null, "riskdetection", "event.dataset=azure.identity_protection", "riskEventType=*");
        c.Define("azure", null, "pim", "event.dataset=azure.pim");
        c.Define("gcp", null, "gcp.audit", "event.dataset=gcp.audit", "protoPayload.@type=type.googleapis.com/google.cloud.audit.AuditLog");
        c.Define("gcp", null, "google_workspace.admin", "event.dataset=google_workspace.admin");
        c.Define("gcp", null, "google_workspace.login", "event.dataset=google_workspace.login");
        c.Define("okta", null, "okta", "event.dataset=okta.system", "eventType=*;actor.alternateId=*");
        c.Define("m365", null, "audit", "event.dataset=o365.audit", "Workload=*;Operation=*");
        c.Define("m365", null, "threat_management", "event.dataset=m365_defender.alert");
        c.Define("github", null, "audit", "event.dataset=github.audit");
        c.Define("kubernetes", null, "audit", "event.dataset=kubernetes.audit", "kind=Event;apiVersion=audit.k8s.io/v1");
        return c;
    }
}
