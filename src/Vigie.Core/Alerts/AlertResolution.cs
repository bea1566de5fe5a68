namespace Vigie.Core.Alerts;

/// <summary>Why an alert was closed.</summary>
public enum AlertResolution
{
    TruePositive = 1,
    FalsePositive = 2,
    Benign = 3,
    Duplicate = 4,
}

public static class AlertResolutions
{
    public static IReadOnlyList<string> All { get; } = ["true_positive", "false_positive", "benign", "duplicate"];

    public static string ToName(this AlertResolution resolution) => resolution switch
    {
        AlertResolution.TruePositive => "true_positive",
        AlertResolution.FalsePositive => "false_positive",
        AlertResolution.Benign => "benign",
        AlertResolution.Duplicate => "duplicate",
    };

    public static bool TryParse(string? text, out AlertResolution resolution)
    {
        switch (text?.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_'))
        {
            case "true_positive":
                resolution = AlertResolution.TruePositive;
                return true;
            case "false_positive":
                resolution = AlertResolution.FalsePositive;
                return true;
            case "benign":
                resolution = AlertResolution.Benign;
                return true;
            case "duplicate":
                resolution = AlertResolution.Duplicate;
                return true;
            default:
                resolution = default;
                return false;
        }
    }
}
