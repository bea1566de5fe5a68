using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Patients;
using Vigie.Core.SecurityEvents;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Records;

/// <summary>
/// Decides every FHIR interaction before it runs: computes the facts (roles, care relationship, consent, labels,
/// purpose, SMART scopes, break-the-glass grant), applies the policy, and on a justified break of the glass
/// records the grant and alerts the data protection officer and the patient's establishment. One instance per
/// request: facts about a patient are computed once per request.
/// </summary>
public sealed class AccessDecider(VigieDbContext db, FhirResourceStore store, RecordKeyring keys, AccessPolicy policy,
    SecurityEventWriter events, IMemoryCache cache, AccessFactsCache facts, TimeProvider clock)
{
    public const string EstablishmentSystem = "urn:vigie:establishment";

    private readonly Dictionary<string, PatientFacts> _patients = new(StringComparer.Ordinal);

    public AccessPolicy Policy => policy;

    /// <summary>Patients being registered in the current unit of work (a transaction bundle): their registrant cares for them.</summary>
    public HashSet<string> Registering { get; } = new(StringComparer.Ordinal);

    private sealed record PatientFacts(PatientContext? Context, List<JsonElement> Consents, Dictionary<string, string?> Relationship, Dictionary<Guid, bool> Grants);

    private sealed record SubjectFacts(IReadOnlySet<string> FamilyHashes, IReadOnlySet<string> AddressHashes, IReadOnlySet<string> OrganizationIds);

    public static bool IsCompartmentType(string type) => type == "Patient" || FhirSearchParameters.TryGet(type, "patient", out _) && type != "AuditEvent";

    public async Task<AccessDecision> DecideAsync(AccessSubject subject, AccessRequest request, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var patientId = request.PatientId;
        var compartment = patientId is not null || IsCompartmentType(request.ResourceType);
        var own = subject.OwnPatientId is not null && patientId == subject.OwnPatientId;
        var scopeGranted = subject.Scopes is null ||
                           subject.Scopes.Grants(request.Interaction, request.ResourceType, forContextPatient: own || (patientId is null && subject.OwnPatientId is not null));
        var treatment = policy.TreatmentPurposes.Contains(request.Purpose);
        var clinician = subject.Roles.Contains(Vigie.Core.Identity.Roles.Clinician);

        PatientFacts? facts = null;
        string? relationship = null;
        var consent = ConsentEvaluator.None;
        var grant = false;
        if (patientId is not null && request.ResourceType != "AuditEvent")
        {
            facts = await PatientFactsAsync(patientId, ct);
            if (clinician)
            {
                relationship = await RelationshipAsync(facts, patientId, subject, now, ct);
                var subjectFacts = await SubjectFactsAsync(subject, ct);
                consent = ConsentEvaluator.Evaluate(facts.Consents, new ConsentQuery(subject.PractitionerId, subjectFacts.OrganizationIds,
                    request.Purpose, request.ResourceType, request.Label, request.Sensitivity, now));
                grant = await GrantAsync(facts, patientId, subject.UserId, now, ct);
            }
        }
        else if (patientId is not null)
        {
            facts = await PatientFactsAsync(patientId, ct);
        }

        AccessFacts Facts(bool breakGlass) => new(subject.Roles, request.Interaction, request.ResourceType, compartment, own, scopeGranted,
            request.Purpose, treatment, relationship is not null, consent, request.Label, breakGlass);

        var (rule, reason) = policy.Evaluate(Facts(false));
        var reasons = new List<string> { reason };
        var breakGlass = false;
        var created = false;
        if (rule.Effect == AccessEffect.BreakTheGlass && patientId is not null)
        {
            var (btgRule, btgReason) = policy.Evaluate(Facts(true));
            if (btgRule.Effect == AccessEffect.Permit)
            {
                if (grant)
                {
                    (rule, reason) = (btgRule, btgReason);
                    reasons = [btgReason];
                    breakGlass = true;
                }
                else if (request.Purpose == PurposeOfUse.BreakTheGlass)
                {
                    if (string.IsNullOrWhiteSpace(request.Justification))
                    {
                        reasons.Add($"breaking the glass needs a justification in the {PurposeOfUse.BreakGlassHeaderName} header");
                    }
                    else
                    {
                        await GrantBreakGlassAsync(subject, patientId, facts?.Context, request.Justification, now, ct);
                        facts!.Grants[subject.UserId] = true;
                        (rule, reason) = (btgRule, btgReason);
                        reasons = [$"break-the-glass granted for {policy.BreakGlassHours} hours: {request.Justification.Trim()}", btgReason];
                        breakGlass = created = true;
                    }
                }
                else
                {
                    reasons.Add($"break the glass: repeat the request with {PurposeOfUse.HeaderName}: BTG and a justification in {PurposeOfUse.BreakGlassHeaderName}");
                }
            }
            else
            {
                rule = rule with { Effect = AccessEffect.Deny };
            }
        }
        if (request.Purpose == PurposeOfUse.BreakTheGlass && !breakGlass && rule.Effect == AccessEffect.Permit)
            reasons.Add("break-the-glass was not needed");

        var flags = facts?.Context is { } context ? await PrivacyFlagsAsync(subject, context, own, ct) : 0;
        return new AccessDecision(rule.Effect, reasons, rule.Id, policy.Version, breakGlass, created,
            patientId is null || !clinician ? null : relationship ?? "none", facts?.Context, flags);
    }

    /// <summary>The patient's MPI context (also used to enrich ledger entries of non-clinical callers).</summary>
    public async Task<PatientContext?> PatientContextAsync(string patientId, CancellationToken ct = default) =>
        (await PatientFactsAsync(patientId, ct)).Context;

    private async Task<PatientFacts> PatientFactsAsync(string patientId, CancellationToken ct)
    {
        if (_patients.TryGetValue(patientId, out var known))
            return known;
        if (facts.TryGet("patient", patientId, null, out (PatientContext? Context, List<JsonElement> Consents) shared))
        {
            known = new PatientFacts(shared.Context, shared.Consents, [], []);
            _patients[patientId] = known;
            return known;
        }
        var identity = await db.PatientIdentities.AsNoTracking().SingleOrDefaultAsync(p => p.PatientId == patientId, ct);
        PatientContext? context = identity is null ? null : new PatientContext(identity.PatientId, identity.NationalId, identity.Trust,
            identity.EstablishmentId, identity.Vip, identity.Employee, identity.Deceased, Split(identity.FamilyHashes), Split(identity.AddressHashes));
        var consents = new List<JsonElement>();
        var rows = await db.FhirResources.AsNoTracking()
            .Where(r => r.PatientId == patientId && r.ResourceType == "Consent" && !r.Deleted).ToListAsync(ct);
        foreach (var row in rows)
            consents.Add(JsonDocument.Parse(await store.ContentAsync(row, ct)).RootElement);
        facts.Set("patient", patientId, null, (context, consents));
        known = new PatientFacts(context, consents, [], []);
        _patients[patientId] = known;
        return known;
    }

    private static HashSet<string> Split(string? text) =>
        text is null ? [] : text.Split(';', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    private async Task<string?> RelationshipAsync(PatientFacts patient, string patientId, AccessSubject subject, DateTime now, CancellationToken ct)
    {
        if (Registering.Contains(patientId))
            return "registration";
        var key = $"{subject.PractitionerId}|{subject.EstablishmentId}";
        if (patient.Relationship.TryGetValue(key, out var cached))
            return cached;
        if (facts.TryGet("relationship", patientId, key, out string? shared))
        {
            patient.Relationship[key] = shared;
            return shared;
        }
        var since = now.AddDays(-policy.CareWindowDays);
        var practitioner = subject.PractitionerId;
        var establishment = subject.EstablishmentId;
        var links = await db.CareRelationships.AsNoTracking()
            .Where(c => c.PatientId == patientId &&
                        ((practitioner != null && c.PractitionerId == practitioner) || (establishment != null && c.EstablishmentId == establishment)) &&
                        (c.Active || c.EndAt == null || c.EndAt >= since) &&
                        (c.StartAt == null || c.StartAt <= now))
            .Select(c => new { c.SourceType, c.PractitionerId })
            .ToListAsync(ct);
        var best = links.OrderByDescending(l => l.PractitionerId != null).FirstOrDefault();
        var kind = best?.SourceType switch
        {
            null => null,
            "Encounter" => "encounter",
            "EpisodeOfCare" => "episode-of-care",
            _ => "care-team",
        };
        patient.Relationship[key] = kind;
        facts.Set("relationship", patientId, key, kind);
        return kind;
    }

    private async Task<bool> GrantAsync(PatientFacts patient, string patientId, Guid userId, DateTime now, CancellationToken ct)
    {
        if (patient.Grants.TryGetValue(userId, out var g))
            return g;
        // The expiry is kept, not the answer: a grant that ends between two cached reads ends on time.
        if (!facts.TryGet("grant", patientId, userId.ToString(), out DateTime? until))
        {
            until = await db.BreakGlassGrants.AsNoTracking().Where(x => x.UserId == userId && x.PatientId == patientId && x.ExpiresAt > now)
                .MaxAsync(x => (DateTime?)x.ExpiresAt, ct);
            facts.Set("grant", patientId, userId.ToString(), until);
        }
        g = until > now;
        patient.Grants[userId] = g;
        return g;
    }

    private async Task GrantBreakGlassAsync(AccessSubject subject, string patientId, PatientContext? patient, string justification, DateTime now, CancellationToken ct)
    {
        db.BreakGlassGrants.Add(new BreakGlassGrant
        {
            UserId = subject.UserId, PatientId = patientId, GrantedAt = now, ExpiresAt = now.AddHours(policy.BreakGlassHours),
            Justification = justification.Trim(), PatientEstablishmentId = patient?.EstablishmentId,
        });
        // The alert for the data protection officer (national scope) and the patient's establishment's security officer.
        events.Add(SecurityEventType.BreakGlassGranted, new Actor(subject.UserName, subject.UserId, subject.EstablishmentId), patient?.NationalId is { } n ? $"patient:{n}" : $"patient:{patientId}",
            patient?.EstablishmentId ?? subject.EstablishmentId, new { hours = policy.BreakGlassHours, user_establishment = subject.EstablishmentId });
        await db.SaveChangesAsync(ct);
        facts.Invalidate(patientId);
    }

    private async Task<SubjectFacts> SubjectFactsAsync(AccessSubject subject, CancellationToken ct)
    {
        if (cache.TryGetValue($"records-subject:{subject.UserId}", out SubjectFacts? cached) && cached is not null)
            return cached;
        await keys.EnsureLoadedAsync(ct);
        var families = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        if (subject.DisplayName is { } display && display.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } words)
            families.Add(keys.BlindIndexHex(PatientIndex.FamilyScope, Vigie.Core.Patients.PatientFacts.Clean(words[^1])));
        if (subject.PractitionerId is { } pid && await store.FindReadOnlyAsync("Practitioner", pid, ct) is { Deleted: false } row)
        {
            using var doc = JsonDocument.Parse(await store.ContentAsync(row, ct));
            var traits = Vigie.Core.Patients.PatientFacts.Of(doc.RootElement);
            foreach (var f in traits.FamilyNames)
                families.Add(keys.BlindIndexHex(PatientIndex.FamilyScope, f));
            foreach (var a in traits.Addresses)
                addresses.Add(keys.BlindIndexHex(PatientIndex.AddressScope, a));
        }
        var organizations = new HashSet<string>(StringComparer.Ordinal);
        if (subject.EstablishmentId is { } eid && await db.Establishments.AsNoTracking().Where(e => e.Id == eid).Select(e => e.Code).SingleOrDefaultAsync(ct) is { } code)
        {
            var token = store.IndexToken("Organization", "identifier", FhirResourceStore.TokenKey(EstablishmentSystem, code));
            foreach (var id in await db.FhirSearchIndex.AsNoTracking().Where(i => i.ResourceType == "Organization" && i.Param == "identifier" && i.Token == token)
                         .Select(i => i.ResourceId).ToListAsync(ct))
                organizations.Add(id);
        }
        var facts = new SubjectFacts(families, addresses, organizations);
        cache.Set($"records-subject:{subject.UserId}", facts, TimeSpan.FromMinutes(5));
        return facts;
    }

    private async Task<int> PrivacyFlagsAsync(AccessSubject subject, PatientContext patient, bool own, CancellationToken ct)
    {
        var flags = PrivacyFlags.None;
        if (patient.Vip)
            flags |= PrivacyFlags.PatientVip;
        if (patient.Employee)
            flags |= PrivacyFlags.PatientEmployee;
        if (patient.Deceased)
            flags |= PrivacyFlags.PatientDeceased;
        if (patient.EstablishmentId is not null && patient.EstablishmentId == subject.EstablishmentId)
            flags |= PrivacyFlags.SameEstablishment;
        if (own)
            flags |= PrivacyFlags.SelfAccess;
        if (!subject.Roles.Contains(Vigie.Core.Identity.Roles.Patient))
        {
            var s = await SubjectFactsAsync(subject, ct);
            if (s.FamilyHashes.Overlaps(patient.FamilyHashes))
                flags |= PrivacyFlags.SameFamilyName;
            if (s.AddressHashes.Overlaps(patient.AddressHashes))
                flags |= PrivacyFlags.SameAddress;
        }
        return (int)flags;
    }
}
