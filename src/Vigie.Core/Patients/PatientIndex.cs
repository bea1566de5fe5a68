using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Records;
using Vigie.Formats.Fhir;

namespace Vigie.Core.Patients;

/// <summary>
/// The master patient index: issues the national health identifier of each Patient, keeps their trust level
/// and the keyed hashes privacy monitoring compares (family names, addresses), and the blocking keys duplicate
/// detection uses. Other identifiers (identity card, establishment record numbers, imported ones) stay on the
/// Patient resource.
/// </summary>
public sealed class PatientIndex(VigieDbContext db, RecordKeyring keys, TimeProvider clock)
{
    public const string FamilyScope = "privacy.family";
    public const string AddressScope = "privacy.address";
    public const string BlockingScope = "mpi.block";

    /// <summary>Ensures the Patient carries its national health identifier; issues one for a new patient.</summary>
    public async Task<string> AssignNationalIdAsync(JsonObject patient, string id, CancellationToken ct = default)
    {
        var identifiers = patient["identifier"] as JsonArray;
        string? declared = null;
        if (identifiers is not null)
        {
            foreach (var identifier in identifiers)
            {
                if (identifier?["system"]?.GetValue<string>() == NationalHealthId.System)
                {
                    var value = identifier["value"]?.GetValue<string>();
                    if (!NationalHealthId.IsValid(value))
                        throw FhirException.Invalid($"Patient.identifier: '{value}' is not a valid national health identifier (16 digits, ISO 7064 MOD 97-10 check digits)");
                    declared = NationalHealthId.Normalise(value);
                }
            }
        }
        var existing = await FindAsync(id, ct);
        var nationalId = existing?.NationalId;
        if (nationalId is not null && declared is not null && declared != nationalId)
            throw FhirException.Invalid($"Patient.identifier: the national health identifier of Patient/{id} is {NationalHealthId.Format(nationalId)}; it cannot change");
        if (nationalId is null && declared is not null)
        {
            var holder = await db.PatientIdentities.AsNoTracking().Where(p => p.NationalId == declared).Select(p => p.PatientId).FirstOrDefaultAsync(ct)
                ?? db.PatientIdentities.Local.FirstOrDefault(p => p.NationalId == declared)?.PatientId;
            if (holder is not null && holder != id)
                throw new FhirException(409, "duplicate", $"Patient.identifier: national health identifier {NationalHealthId.Format(declared)} belongs to another patient");
            nationalId = declared;
        }
        nationalId ??= await NewUniqueIdAsync(ct);
        if (declared is null)
        {
            identifiers ??= [];
            identifiers.Insert(0, new JsonObject
            {
                ["use"] = "official",
                ["type"] = new JsonObject { ["text"] = "Identifiant national de santé" },
                ["system"] = NationalHealthId.System,
                ["value"] = nationalId,
            });
            patient["identifier"] = identifiers;
        }
        if (existing is null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            db.PatientIdentities.Add(new PatientIdentity { PatientId = id, NationalId = nationalId, CreatedAt = now, UpdatedAt = now });
        }
        return nationalId;
    }

    private async Task<string> NewUniqueIdAsync(CancellationToken ct)
    {
        while (true)
        {
            var candidate = NationalHealthId.NewId();
            if (!await db.PatientIdentities.AnyAsync(p => p.NationalId == candidate, ct) && db.PatientIdentities.Local.All(p => p.NationalId != candidate))
                return candidate;
        }
    }

    public async Task<PatientIdentity?> FindAsync(string patientId, CancellationToken ct = default) =>
        db.PatientIdentities.Local.FirstOrDefault(p => p.PatientId == patientId)
        ?? await db.PatientIdentities.SingleOrDefaultAsync(p => p.PatientId == patientId, ct);

    /// <summary>Refreshes the privacy facts and blocking keys after the Patient was written.</summary>
    public async Task OnPatientWrittenAsync(string id, JsonElement patient, Guid? establishment, ResourceLabels labels, CancellationToken ct = default)
    {
        var identity = await FindAsync(id, ct) ?? throw new InvalidOperationException($"Patient/{id} has no identity entry");
        identity.EstablishmentId ??= establishment;
        identity.Vip = labels.Vip;
        identity.Employee = labels.Employee;
        identity.Deceased = (patient.TryGetProperty("deceasedBoolean", out var db1) && db1.ValueKind == JsonValueKind.True) ||
                            patient.TryGetProperty("deceasedDateTime", out _);
        var facts = PatientFacts.Of(patient);
        identity.FamilyHashes = Join(facts.FamilyNames.Select(f => keys.BlindIndexHex(FamilyScope, f)));
        identity.AddressHashes = Join(facts.Addresses.Select(a => keys.BlindIndexHex(AddressScope, a)));
        identity.BlockingKeys = Join(facts.BlockingKeys().Select(b => keys.BlindIndexHex(BlockingScope, b)));
        identity.UpdatedAt = clock.GetUtcNow().UtcDateTime;
    }

    private static string? Join(IEnumerable<string> values)
    {
        var list = values.Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? null : string.Join(';', list);
    }
}
