using System.Text.Json;

namespace Vigie.Core.Records;

/// <summary>Writes OperationOutcome resources: the body of every FHIR error.</summary>
public static class OperationOutcomes
{
    public sealed record Issue(string Severity, string Code, string Diagnostics, string? Expression = null);

    public static byte[] Write(IEnumerable<Issue> issues, IReadOnlyDictionary<string, string>? extensions = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, FhirJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "OperationOutcome");
            if (extensions is { Count: > 0 })
            {
                w.WriteStartArray("extension");
                foreach (var (url, value) in extensions)
                {
                    w.WriteStartObject();
                    w.WriteString("url", url);
                    w.WriteString("valueString", value);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("issue");
            foreach (var issue in issues)
            {
                w.WriteStartObject();
                w.WriteString("severity", issue.Severity);
                w.WriteString("code", issue.Code);
                w.WriteString("diagnostics", issue.Diagnostics);
                if (issue.Expression is not null)
                {
                    w.WriteStartArray("expression");
                    w.WriteStringValue(issue.Expression);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static byte[] Error(string code, string message, IEnumerable<string>? details = null)
    {
        var issues = new List<Issue> { new("error", code, message) };
        foreach (var d in details ?? [])
        {
            var colon = d.IndexOf(": ", StringComparison.Ordinal);
            issues.Add(colon > 0 ? new Issue("error", code, d, d[..colon]) : new Issue("error", code, d));
        }
        return Write(issues);
    }

    /// <summary>The FHIR issue type (http://hl7.org/fhir/issue-type) of an error answer's HTTP status.</summary>
    public static string IssueType(int status) => status switch
    {
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "too-long",
        423 => "lock-error",
        499 => "incomplete",
        503 => "transient",
        >= 500 => "exception",
        _ => "invalid",
    };

    public static byte[] Information(string message) => Write([new Issue("information", "informational", message)]);
}
