namespace Vigie.Core.Records;

/// <summary>The person behind a FHIR request, as access decisions need them.</summary>
public sealed record AccessSubject(
    Guid UserId,
    string UserName,
    IReadOnlyList<string> Roles,
    Guid? EstablishmentId,
    string? Profession,
    string? PractitionerId,
    string? OwnPatientId,
    SmartScopes? Scopes,
    string? DisplayName = null);

/// <summary>One interaction to decide: what, on which patient's record, with which labels and purpose.</summary>
public sealed record AccessRequest(
    string Interaction,
    string ResourceType,
    string? PatientId,
    string Label = "N",
    string? Sensitivity = null,
    string Purpose = PurposeOfUse.Treatment,
    string? Justification = null);

/// <summary>The decision, its reasons, and what privacy monitoring needs to know about the access.</summary>
public sealed record AccessDecision(
    AccessEffect Effect,
    IReadOnlyList<string> Reasons,
    string RuleId,
    string PolicyVersion,
    bool BreakGlass,
    bool GrantCreated,
    string? CareRelationship,
    PatientContext? Patient,
    int PrivacyFlags)
{
    public bool Permitted => Effect == AccessEffect.Permit;
}

/// <summary>What the master patient index knows about the patient of a request.</summary>
public sealed record PatientContext(
    string PatientId,
    string? NationalId,
    Vigie.Core.Patients.IdentityTrust Trust,
    Guid? EstablishmentId,
    bool Vip,
    bool Employee,
    bool Deceased,
    IReadOnlySet<string> FamilyHashes,
    IReadOnlySet<string> AddressHashes);
