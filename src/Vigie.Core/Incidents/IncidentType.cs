namespace Vigie.Core.Incidents;

/// <summary>What kind of incident: decides the playbook and, with the qualification, who is notified.</summary>
public enum IncidentType
{
    Other = 1,
    Ransomware = 2,
    PatientDataBreach = 3,
    Phishing = 4,
    InsiderSnooping = 5,
    MedicalDeviceCompromise = 6,
    DenialOfService = 7,
}

public static class IncidentTypes
{
    private static readonly (IncidentType Type, string Name)[] Names =
    [
        (IncidentType.Other, "other"),
        (IncidentType.Ransomware, "ransomware"),
        (IncidentType.PatientDataBreach, "patient-data-breach"),
        (IncidentType.Phishing, "phishing"),
        (IncidentType.InsiderSnooping, "insider-snooping"),
        (IncidentType.MedicalDeviceCompromise, "medical-device-compromise"),
        (IncidentType.DenialOfService, "denial-of-service"),
    ];

    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToList();

    public static string ToName(this IncidentType type) => type switch
    {
        IncidentType.Other => "other",
        IncidentType.Ransomware => "ransomware",
        IncidentType.PatientDataBreach => "patient-data-breach",
        IncidentType.Phishing => "phishing",
        IncidentType.InsiderSnooping => "insider-snooping",
        IncidentType.MedicalDeviceCompromise => "medical-device-compromise",
        IncidentType.DenialOfService => "denial-of-service",
    };

    public static bool TryParse(string? text, out IncidentType type)
    {
        var t = text?.Trim().ToLowerInvariant().Replace('_', '-');
        foreach (var (value, name) in Names)
        {
            if (name == t)
            {
                type = value;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>Incidents of these types concern personal data from the start (the DPO sees them before qualification).</summary>
    public static bool InvolvesPersonalData(this IncidentType type) => type switch
    {
        IncidentType.PatientDataBreach or IncidentType.InsiderSnooping => true,
        IncidentType.Other or IncidentType.Ransomware or IncidentType.Phishing
            or IncidentType.MedicalDeviceCompromise or IncidentType.DenialOfService => false,
    };
}
