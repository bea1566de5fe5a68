namespace Vigie.Core.Patients;

/// <summary>How well a patient's identity was verified. Only qualified identities are shared across establishments.</summary>
public enum IdentityTrust
{
    /// <summary>As declared, not verified.</summary>
    Provisional = 1,
    /// <summary>Found in the national identity registry.</summary>
    Retrieved = 2,
    /// <summary>Checked against an identity document (national identity card, passport).</summary>
    Validated = 3,
    /// <summary>Both retrieved from the registry and validated against a document.</summary>
    Qualified = 4,
}

public static class IdentityTrusts
{
    public static string ToCode(this IdentityTrust trust) => trust switch
    {
        IdentityTrust.Provisional => "provisional",
        IdentityTrust.Retrieved => "retrieved",
        IdentityTrust.Validated => "validated",
        IdentityTrust.Qualified => "qualified",
        _ => "provisional",
    };

    public static IdentityTrust Parse(string? code) => code switch
    {
        "retrieved" => IdentityTrust.Retrieved,
        "validated" => IdentityTrust.Validated,
        "qualified" => IdentityTrust.Qualified,
        _ => IdentityTrust.Provisional,
    };

    /// <summary>Adding a verification step: registry + document = qualified.</summary>
    public static IdentityTrust With(this IdentityTrust trust, IdentityTrust step) => (trust, step) switch
    {
        (IdentityTrust.Qualified, _) => IdentityTrust.Qualified,
        (IdentityTrust.Retrieved, IdentityTrust.Validated) or (IdentityTrust.Validated, IdentityTrust.Retrieved) => IdentityTrust.Qualified,
        (_, IdentityTrust.Qualified) => IdentityTrust.Qualified,
        (IdentityTrust.Provisional, _) => step,
        _ => trust,
    };
}
