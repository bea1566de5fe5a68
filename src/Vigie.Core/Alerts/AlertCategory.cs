namespace Vigie.Core.Alerts;

/// <summary>Security alerts go to the SOC and security officers; privacy alerts (accesses to patient records) also to the DPO.</summary>
public enum AlertCategory
{
    Security = 1,
    Privacy = 2,
}

public static class AlertCategories
{
    public static string ToName(this AlertCategory category) => category switch
    {
        AlertCategory.Security => "security",
        AlertCategory.Privacy => "privacy",
    };

    public static bool TryParse(string? text, out AlertCategory category)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "security":
                category = AlertCategory.Security;
                return true;
            case "privacy":
                category = AlertCategory.Privacy;
                return true;
            default:
                category = default;
                return false;
        }
    }
}
