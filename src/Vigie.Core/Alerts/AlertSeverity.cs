using Vigie.Sigma;

namespace Vigie.Core.Alerts;

/// <summary>How urgent an alert is, in increasing order; the names follow Sigma's levels.</summary>
public enum AlertSeverity
{
    Informational = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

public static class AlertSeverities
{
    public static IReadOnlyList<string> All { get; } = ["informational", "low", "medium", "high", "critical"];

    public static string ToName(this AlertSeverity severity) => severity switch
    {
        AlertSeverity.Informational => "informational",
        AlertSeverity.Low => "low",
        AlertSeverity.Medium => "medium",
        AlertSeverity.High => "high",
        AlertSeverity.Critical => "critical",
    };

    public static bool TryParse(string? text, out AlertSeverity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "informational" or "info":
                severity = AlertSeverity.Informational;
                return true;
            case "low":
                severity = AlertSeverity.Low;
                return true;
            case "medium":
                severity = AlertSeverity.Medium;
                return true;
            case "high":
                severity = AlertSeverity.High;
                return true;
            case "critical":
                severity = AlertSeverity.Critical;
                return true;
            default:
                severity = default;
                return false;
        }
    }

    /// <summary>A rule's level as a severity; a rule without a level counts as medium.</summary>
    public static AlertSeverity FromLevel(SigmaLevel level) => level switch
    {
        SigmaLevel.None => AlertSeverity.Medium,
        SigmaLevel.Informational => AlertSeverity.Informational,
        SigmaLevel.Low => AlertSeverity.Low,
        SigmaLevel.Medium => AlertSeverity.Medium,
        SigmaLevel.High => AlertSeverity.High,
        SigmaLevel.Critical => AlertSeverity.Critical,
        _ => AlertSeverity.Medium,
    };

    /// <summary>
    /// The rule's level raised one step when the asset or patient is sensitive (a VIP, a colleague, a
    /// restricted record, a critical server, a medical device), capped at critical.
    /// </summary>
    public static AlertSeverity Of(SigmaLevel level, bool sensitive)
    {
        var severity = FromLevel(level);
        return sensitive && severity < AlertSeverity.Critical ? severity + 1 : severity;
    }
}
