namespace Vigie.Core.Identity;

/// <summary>What a person does in Vigie. Stored by name; the names are part of the API.</summary>
public enum Role
{
    Admin = 1,
    SocAnalyst = 2,
    SecurityOfficer = 3,
    Dpo = 4,
    Clinician = 5,
    Patient = 6,
    Partner = 7,
}

public static class Roles
{
    public const string Admin = "admin";
    public const string SocAnalyst = "soc-analyst";
    public const string SecurityOfficer = "security-officer";
    public const string Dpo = "dpo";
    public const string Clinician = "clinician";
    public const string Patient = "patient";
    public const string Partner = "partner";

    private static readonly (Role Role, string Name)[] Names =
    [
        (Role.Admin, Admin),
        (Role.SocAnalyst, SocAnalyst),
        (Role.SecurityOfficer, SecurityOfficer),
        (Role.Dpo, Dpo),
        (Role.Clinician, Clinician),
        (Role.Patient, Patient),
        (Role.Partner, Partner),
    ];

    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    public static string ToName(this Role role) => Names.First(n => n.Role == role).Name;

    public static bool TryParse(string? text, out Role role)
    {
        foreach (var (r, name) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                role = r;
                return true;
            }
        }
        role = default;
        return false;
    }
}
