using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Records;

namespace Vigie.Core.Patients;

/// <summary>
/// Raises a patient's identity trust: found in the national registry with the same names, birth date and sex
/// (retrieved), checked against an identity document by an agent (validated), or both (qualified). The identity
/// card number is added to the Patient's identifiers; the ledger records the verification.
/// </summary>
public sealed class IdentityVerification(VigieDbContext db, FhirResourceStore store, RecordKeyring keys, LedgerWriter ledger, INationalIdentityRegistry? registry = null)
{
    public const string IdentityCardSystem = "urn:oid:2.16.504.1.2";

    public sealed record Outcome(IdentityTrust Before, IdentityTrust After, string NationalId);

    public async Task<Outcome> VerifyAsync(string patientId, string cardNumber, bool documentChecked, string actor, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(cardNumber) || cardNumber.Length > 32)
            throw VigieException.Invalid("an identity card number (at most 32 characters) is required");
        await keys.EnsureLoadedAsync(ct);
        var identity = await db.PatientIdentities.SingleOrDefaultAsync(p => p.PatientId == patientId, ct)
            ?? throw VigieException.NotFound($"Patient/{patientId} is not in the patient index");
        var row = await store.FindReadOnlyAsync("Patient", patientId, ct);
        if (row is null || row.Deleted)
            throw VigieException.NotFound($"Patient/{patientId} does not exist");
        var node = JsonNode.Parse(await store.ContentAsync(row, ct))!.AsObject();
        using var document = JsonDocument.Parse(node.ToJsonString());
        var facts = PatientFacts.Of(document.RootElement);

        var before = identity.Trust;
        var after = before;
        if (registry is not null)
        {
            var found = await registry.FindAsync(cardNumber.Trim(), ct)
                ?? throw VigieException.Invalid($"the national identity registry has no identity for card {cardNumber.Trim()}");
            var differences = new List<string>();
            if (!facts.FamilyNames.Contains(PatientFacts.Clean(found.Family)))
                differences.Add("family name");
            if (!facts.GivenNames.Contains(PatientFacts.Clean(found.Given)))
                differences.Add("given name");
            if (facts.BirthDate != found.BirthDate)
                differences.Add("birth date");
            if (found.Sex is not null && facts.Gender is not null && !string.Equals(found.Sex, facts.Gender, StringComparison.OrdinalIgnoreCase))
                differences.Add("sex");
            if (differences.Count > 0)
                throw VigieException.Invalid($"the registry's identity for card {cardNumber.Trim()} differs from Patient/{patientId} in: {string.Join(", ", differences)}");
            after = after.With(IdentityTrust.Retrieved);
        }
        else if (!documentChecked)
        {
            throw VigieException.Invalid("no national identity registry is configured (identity_registry): only --document-checked can raise this identity");
        }
        if (documentChecked)
            after = after.With(IdentityTrust.Validated);

        var identifiers = node["identifier"] as JsonArray ?? [];
        if (!identifiers.Any(i => i?["system"]?.GetValue<string>() == IdentityCardSystem))
        {
            identifiers.Add(new JsonObject
            {
                ["type"] = new JsonObject { ["text"] = "Carte nationale d'identité électronique" },
                ["system"] = IdentityCardSystem,
                ["value"] = cardNumber.Trim(),
            });
            node["identifier"] = identifiers;
        }
        await StoreTransaction.RunAsync(db, async token =>
        {
            await store.UpdateAsync("Patient", patientId, node, null, row.EstablishmentId, token);
            identity.Trust = after;
            await db.SaveChangesAsync(token);
        }, ct);
        await ledger.AppendAsync(new LedgerEntry
        {
            UserName = actor, Action = "identity-verify", ResourceType = "Patient", ResourceId = patientId, PatientId = patientId,
            PatientRef = after == IdentityTrust.Qualified ? identity.NationalId : null, Status = 0, Decision = "permit",
            Reasons = $"identity trust {before.ToCode()} → {after.ToCode()}{(registry is null ? "" : "; registry match")}{(documentChecked ? "; document checked" : "")}",
            PrevHash = [], Hash = [],
        });
        return new Outcome(before, after, identity.NationalId);
    }
}
