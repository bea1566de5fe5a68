namespace Vigie.Sigma.Mapping;

/// <summary>The built-in field mappings.</summary>
public static class SigmaFieldMappings
{
    /// <summary>
    /// Windows events as EVTX renders them (Sysmon and the Windows channels): rule fields are the event's
    /// own names. Security 4688 names its process fields differently from Sysmon 1; those are tried second.
    /// </summary>
    public static SigmaFieldMapping Windows { get; } = new("windows", new Dictionary<string, string[]>
    {
        ["Image"] = ["Image", "NewProcessName"],
        ["ParentImage"] = ["ParentImage", "ParentProcessName"],
    }, keepOriginalNames: true, identity: true);

    /// <summary>Rule fields looked up exactly as written.</summary>
    public static SigmaFieldMapping None { get; } = new("none", new Dictionary<string, string[]>(), keepOriginalNames: true, identity: true);

    /// <summary>
    /// Events normalised to the Elastic Common Schema by Vigie (which keeps original fields beside the ECS
    /// ones): Sysmon/Windows, Linux auditd, web server, proxy, DNS, firewall and cloud audit names → ECS.
    /// A rule field missing from this table is reported and looked up as written.
    /// </summary>
    public static SigmaFieldMapping Ecs { get; } = new("ecs", new Dictionary<string, string[]>
    {
        // Windows: event envelope
        ["EventID"] = ["event.code", "winlog.event_id"],
        ["Channel"] = ["winlog.channel"],
        ["Provider_Name"] = ["winlog.provider_name"],
        ["Computer"] = ["host.name", "winlog.computer_name"],
        ["ComputerName"] = ["host.name", "winlog.computer_name"],
        ["Hostname"] = ["host.name"],
        // Processes (Sysmon 1, Security 4688, auditd execve)
        ["Image"] = ["process.executable"],
        ["NewProcessName"] = ["process.executable"],
        ["CommandLine"] = ["process.command_line"],
        ["ProcessCommandLine"] = ["process.command_line"],
        ["OriginalFileName"] = ["process.pe.original_file_name"],
        ["Company"] = ["process.pe.company"],
        ["Description"] = ["process.pe.description"],
        ["Product"] = ["process.pe.product"],
        ["FileVersion"] = ["process.pe.file_version"],
        ["CurrentDirectory"] = ["process.working_directory"],
        ["ProcessId"] = ["process.pid"],
        ["ProcessGuid"] = ["process.entity_id"],
        ["ParentImage"] = ["process.parent.executable"],
        ["ParentProcessName"] = ["process.parent.executable"],
        ["ParentCommandLine"] = ["process.parent.command_line"],
        ["ParentProcessId"] = ["process.parent.pid"],
        ["ParentProcessGuid"] = ["process.parent.entity_id"],
        ["IntegrityLevel"] = ["winlog.event_data.IntegrityLevel"],
        ["LogonId"] = ["winlog.event_data.LogonId"],
        ["Hashes"] = ["winlog.event_data.Hashes"],
        ["User"] = ["user.name"],
        ["SubjectUserName"] = ["user.name"],
        ["SubjectDomainName"] = ["user.domain"],
        ["SubjectUserSid"] = ["user.id"],
        ["TargetUserName"] = ["user.target.name"],
        ["TargetDomainName"] = ["user.target.domain"],
        ["TargetUserSid"] = ["user.target.id"],
        ["LogonType"] = ["winlog.logon.type", "winlog.event_data.LogonType"],
        ["IpAddress"] = ["source.ip"],
        ["IpPort"] = ["source.port"],
        ["WorkstationName"] = ["source.domain"],
        ["ServiceName"] = ["service.name"],
        ["ServiceFileName"] = ["winlog.event_data.ServiceFileName"],
        ["ImagePath"] = ["winlog.event_data.ImagePath"],
        ["AccessMask"] = ["winlog.event_data.AccessMask"],
        ["ObjectName"] = ["winlog.event_data.ObjectName"],
        ["ObjectType"] = ["winlog.event_data.ObjectType"],
        ["ShareName"] = ["winlog.event_data.ShareName"],
        ["RelativeTargetName"] = ["winlog.event_data.RelativeTargetName"],
        // Files, registry, image loads, pipes
        ["TargetFilename"] = ["file.path"],
        ["TargetFileName"] = ["file.path"],
        ["CreationUtcTime"] = ["file.created"],
        ["TargetObject"] = ["registry.path"],
        ["Details"] = ["registry.data.strings"],
        ["EventType"] = ["winlog.event_data.EventType"],
        ["NewName"] = ["winlog.event_data.NewName"],
        ["ImageLoaded"] = ["dll.path", "file.path"],
        ["Signed"] = ["dll.code_signature.signed", "file.code_signature.signed"],
        ["Signature"] = ["dll.code_signature.subject_name", "file.code_signature.subject_name"],
        ["SignatureStatus"] = ["dll.code_signature.status", "file.code_signature.status"],
        ["PipeName"] = ["file.name"],
        ["SourceImage"] = ["process.executable"],
        ["TargetImage"] = ["winlog.event_data.TargetImage"],
        ["GrantedAccess"] = ["winlog.event_data.GrantedAccess"],
        ["CallTrace"] = ["winlog.event_data.CallTrace"],
        ["StartAddress"] = ["winlog.event_data.StartAddress"],
        ["StartModule"] = ["winlog.event_data.StartModule"],
        ["StartFunction"] = ["winlog.event_data.StartFunction"],
        ["Device"] = ["file.device"],
        ["Contents"] = ["winlog.event_data.Contents"],
        // Network (Sysmon 3, firewall, zeek)
        ["DestinationIp"] = ["destination.ip"],
        ["DestinationPort"] = ["destination.port"],
        ["DestinationHostname"] = ["destination.domain"],
        ["DestinationIsIpv6"] = ["winlog.event_data.DestinationIsIpv6"],
        ["SourceIp"] = ["source.ip"],
        ["SourcePort"] = ["source.port"],
        ["SourceHostname"] = ["source.domain"],
        ["Protocol"] = ["network.transport"],
        ["Initiated"] = ["network.direction"],
        ["dst_ip"] = ["destination.ip"],
        ["dst_port"] = ["destination.port"],
        ["src_ip"] = ["source.ip"],
        ["src_port"] = ["source.port"],
        // DNS
        ["QueryName"] = ["dns.question.name"],
        ["QueryResults"] = ["dns.answers.data"],
        ["QueryStatus"] = ["dns.response_code"],
        ["query"] = ["dns.question.name"],
        ["answer"] = ["dns.answers.data"],
        ["record_type"] = ["dns.question.type"],
        // PowerShell
        ["ScriptBlockText"] = ["powershell.file.script_block_text"],
        ["ScriptBlockId"] = ["powershell.file.script_block_id"],
        ["Payload"] = ["winlog.event_data.Payload"],
        ["ContextInfo"] = ["winlog.event_data.ContextInfo"],
        ["HostApplication"] = ["process.command_line"],
        // Web servers and proxies (W3C names)
        ["c-uri"] = ["url.original"],
        ["cs-uri"] = ["url.original"],
        ["cs-uri-query"] = ["url.query"],
        ["cs-uri-stem"] = ["url.path"],
        ["c-uri-query"] = ["url.query"],
        ["c-uri-stem"] = ["url.path"],
        ["c-uri-extension"] = ["url.extension"],
        ["cs-method"] = ["http.request.method"],
        ["sc-status"] = ["http.response.status_code"],
        ["c-useragent"] = ["user_agent.original"],
        ["cs-user-agent"] = ["user_agent.original"],
        ["cs-host"] = ["url.domain"],
        ["cs-referrer"] = ["http.request.referrer"],
        ["cs-cookie"] = ["http.request.cookie"],
        ["c-ip"] = ["source.ip"],
        ["s-ip"] = ["destination.ip"],
        ["r-dns"] = ["url.domain"],
        ["cs-bytes"] = ["http.request.bytes"],
        ["sc-bytes"] = ["http.response.bytes"],
        // Linux auditd and syslog
        ["exe"] = ["process.executable"],
        ["comm"] = ["process.name"],
        ["pid"] = ["process.pid"],
        ["ppid"] = ["process.parent.pid"],
        ["uid"] = ["user.id"],
        ["auid"] = ["user.audit.id"],
        ["cwd"] = ["process.working_directory"],
        ["name"] = ["file.path"],
        ["key"] = ["tags"],
        ["syscall"] = ["auditd.data.syscall"],
        ["a0"] = ["auditd.data.a0"],
        ["a1"] = ["auditd.data.a1"],
        ["a2"] = ["auditd.data.a2"],
        ["a3"] = ["auditd.data.a3"],
        ["type"] = ["auditd.message_type"],
        ["SYSCALL"] = ["auditd.data.syscall"],
        ["host"] = ["host.name"],
        // Cloud audit logs
        ["eventSource"] = ["event.provider"],
        ["eventName"] = ["event.action"],
        ["errorCode"] = ["aws.cloudtrail.error_code"],
        ["errorMessage"] = ["aws.cloudtrail.error_message"],
        ["sourceIPAddress"] = ["source.ip"],
        ["userAgent"] = ["user_agent.original"],
        ["userIdentity.type"] = ["aws.cloudtrail.user_identity.type"],
        ["userIdentity.arn"] = ["aws.cloudtrail.user_identity.arn"],
        ["requestParameters"] = ["aws.cloudtrail.request_parameters"],
        ["responseElements"] = ["aws.cloudtrail.response_elements"],
        ["operationName"] = ["azure.activitylogs.operation_name", "event.action"],
        ["ResultType"] = ["azure.signinlogs.result_type", "event.outcome"],
        ["ResultDescription"] = ["azure.signinlogs.result_description"],
        ["eventType"] = ["event.action"],
        ["gcp.audit.method_name"] = ["gcp.audit.method_name"],
    }, keepOriginalNames: true, identity: false);

    /// <summary>The built-in mapping of the given name (<c>windows</c>, <c>ecs</c>, <c>none</c>), or null.</summary>
    public static SigmaFieldMapping? Find(string name) => name.ToLowerInvariant() switch
    {
        "windows" or "evtx" or "sysmon" => Windows,
        "ecs" => Ecs,
        "none" or "identity" => None,
        _ => null,
    };
}
