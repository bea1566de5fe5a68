using System.Net;
using Vigie.Core.Alerts;

namespace Vigie.Core.Incidents;

/// <summary>
/// Reads observables out of the fields alerts kept: addresses, domains, URLs, hashes, accounts, hosts, and
/// patients (already pseudonymised by alerting; a clear identifier never reaches an incident).
/// </summary>
public static class ObservableExtractor
{
    private static readonly (string Field, string Kind)[] Map =
    [
        ("source.ip", "address"), ("source.address", "address"), ("destination.ip", "address"), ("destination.address", "address"),
        ("host.ip", "address"), ("IpAddress", "address"), ("SourceIp", "address"), ("DestinationIp", "address"),
        ("url.domain", "domain"), ("destination.domain", "domain"), ("dns.question.name", "domain"), ("QueryName", "domain"), ("DestinationHostname", "domain"),
        ("url.full", "url"), ("url.original", "url"),
        ("file.hash.sha256", "hash"), ("file.hash.sha1", "hash"), ("file.hash.md5", "hash"), ("process.hash.sha256", "hash"),
        ("user.name", "account"), ("TargetUserName", "account"), ("SubjectUserName", "account"), ("User", "account"),
        ("email.from.address", "account"), ("email.sender.address", "account"),
        ("host.name", "host"), ("host.hostname", "host"), ("Computer", "host"), ("WorkstationName", "host"),
        (AlertFields.PatientPseudonymField, "patient"),
    ];

    /// <summary>The observables of one detection's kept fields, as (kind, value), normalised and without noise.</summary>
    public static IEnumerable<(string Kind, string Value)> From(IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (field, kind) in Map)
        {
            if (fields.TryGetValue(field, out var raw) && Normalise(kind, raw) is { } value)
                yield return (kind, value);
        }
        // Sysmon writes "SHA256=…,MD5=…" in one field.
        if (fields.TryGetValue("Hashes", out var hashes))
        {
            foreach (var part in hashes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && Normalise("hash", part[(eq + 1)..]) is { } hash)
                    yield return ("hash", hash);
            }
        }
    }

    /// <summary>The canonical form of a value of a kind, or null when it is not one (an error message explains).</summary>
    public static string? Normalise(string kind, string? raw) => Normalise(kind, raw, out _);

    public static string? Normalise(string kind, string? raw, out string? error)
    {
        error = null;
        var v = raw?.Trim() ?? "";
        if (v.Length == 0 || v == "-" || v.Length > 2048)
        {
            error = "the value is empty or longer than 2048 characters";
            return null;
        }
        switch (kind)
        {
            case "address":
                if (IPAddress.TryParse(v, out var ip))
                {
                    if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
                    {
                        error = $"'{v}' is a loopback or unspecified address";
                        return null;
                    }
                    return ip.ToString();
                }
                error = $"'{v}' is not an IP address";
                return null;
            case "domain":
                var d = v.TrimEnd('.').ToLowerInvariant();
                if (d.Contains('.', StringComparison.Ordinal) && Uri.CheckHostName(d) == UriHostNameType.Dns)
                    return d;
                error = $"'{v}' is not a domain name";
                return null;
            case "url":
                if (Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp")
                    return uri.ToString();
                error = $"'{v}' is not an absolute http, https or ftp URL";
                return null;
            case "hash":
                var h = v.ToLowerInvariant();
                if (h.Length is 32 or 40 or 64 or 128 && h.All(char.IsAsciiHexDigitLower))
                    return h;
                error = $"'{v}' is not an MD5, SHA-1, SHA-256 or SHA-512 hash in hex";
                return null;
            case "account":
                if (v.Equals("SYSTEM", StringComparison.OrdinalIgnoreCase) || v.Equals("LOCAL SERVICE", StringComparison.OrdinalIgnoreCase) || v.EndsWith('$'))
                {
                    error = $"'{v}' is a built-in or machine account";
                    return null;
                }
                return v.ToLowerInvariant();
            case "host":
                return v.ToLowerInvariant();
            case "patient":
                if (Privacy.PatientPseudonyms.IsPseudonym(v))
                    return v;
                error = "a patient is recorded only by its pseudonym (pp_…); give the identifier as 'patient_id' to have it pseudonymised";
                return null;
            default:
                error = $"kind '{kind}' is unknown; use one of: {string.Join(", ", IncidentObservable.Kinds)}";
                return null;
        }
    }
}
