using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Records;

namespace Vigie.Core.Patients;

/// <summary>
/// Links and merges patient identities, keeping history: a merge makes the source Patient inactive with a
/// <c>replaced-by</c> link, the target gains a <c>replaces</c> link, every resource of the source's record is moved
/// to the target as a new version (the old versions stay), and the ledger records the merge. A link only adds
/// <c>seealso</c> links both ways.
/// </summary>
public sealed class PatientMerge(VigieDbContext db, FhirResourceStore store, RecordKeyring keys, LedgerWriter ledger)
{
    public sealed record Outcome(string SourceNationalId, string TargetNationalId, int Moved);

    public async Task<Outcome> MergeAsync(string sourceId, string targetId, string actor, CancellationToken ct = default)
    {
        if (sourceId == targetId)
            throw VigieException.Invalid("a patient cannot be merged into itself");
        await keys.EnsureLoadedAsync(ct);
        var source = await db.PatientIdentities.SingleOrDefaultAsync(p => p.PatientId == sourceId, ct) ?? throw VigieException.NotFound($"Patient/{sourceId} does not exist");
        var target = await db.PatientIdentities.SingleOrDefaultAsync(p => p.PatientId == targetId, ct) ?? throw VigieException.NotFound($"Patient/{targetId} does not exist");
        if (source.MergedInto is not null)
            throw VigieException.Conflict($"Patient/{sourceId} was already merged into Patient/{source.MergedInto}");
        if (target.MergedInto is not null)
            throw VigieException.Conflict($"Patient/{targetId} was merged into Patient/{target.MergedInto}; merge into that one");
        var moved = await StoreTransaction.RunAsync(db, token => MoveAsync(source, sourceId, targetId, token), ct);
        await ledger.AppendAsync(new LedgerEntry
        {
            UserName = actor, Action = "merge", ResourceType = "Patient", ResourceId = sourceId, PatientId = targetId, PatientRef = target.NationalId,
            Query = $"source={source.NationalId};target={target.NationalId};moved={moved}", Status = 0, Decision = "permit",
            Reasons = $"identity {source.NationalId} merged into {target.NationalId}", PrevHash = [], Hash = [],
        });
        return new Outcome(source.NationalId, target.NationalId, moved);
    }

    private async Task<int> MoveAsync(PatientIdentity source, string sourceId, string targetId, CancellationToken ct)
    {
        await AddLinkAsync(sourceId, targetId, "replaced-by", deactivate: true, ct);
        await AddLinkAsync(targetId, sourceId, "replaces", deactivate: false, ct);
        var moved = 0;
        var rows = await db.FhirResources.AsNoTracking().Where(r => r.PatientId == sourceId && r.ResourceType != "Patient" && !r.Deleted).ToListAsync(ct);
        foreach (var row in rows)
        {
            var node = JsonNode.Parse(await store.ContentAsync(row, ct))!.AsObject();
            foreach (var (text, set) in FhirJson.References(node).ToList())
            {
                if (text == $"Patient/{sourceId}")
                    set($"Patient/{targetId}");
            }
            await store.UpdateAsync(row.ResourceType, row.Id, node, null, row.EstablishmentId, ct);
            moved++;
        }
        await db.CareRelationships.Where(c => c.PatientId == sourceId).ExecuteUpdateAsync(u => u.SetProperty(c => c.PatientId, targetId), ct);
        source.MergedInto = targetId;
        await db.SaveChangesAsync(ct);
        return moved;
    }

    public async Task LinkAsync(string a, string b, string actor, CancellationToken ct = default)
    {
        await keys.EnsureLoadedAsync(ct);
        await StoreTransaction.RunAsync(db, async token =>
        {
            await AddLinkAsync(a, b, "seealso", false, token);
            await AddLinkAsync(b, a, "seealso", false, token);
            await db.SaveChangesAsync(token);
        }, ct);
        await ledger.AppendAsync(new LedgerEntry
        {
            UserName = actor, Action = "link", ResourceType = "Patient", ResourceId = a, PatientId = b, Status = 0, Decision = "permit",
            Reasons = "identities linked (seealso)", PrevHash = [], Hash = [],
        });
    }

    private async Task AddLinkAsync(string id, string other, string type, bool deactivate, CancellationToken ct)
    {
        var row = await store.FindReadOnlyAsync("Patient", id, ct);
        if (row is null || row.Deleted)
            throw VigieException.NotFound($"Patient/{id} does not exist");
        var node = JsonNode.Parse(await store.ContentAsync(row, ct))!.AsObject();
        var links = node["link"] as JsonArray ?? [];
        links.Add(new JsonObject { ["other"] = new JsonObject { ["reference"] = $"Patient/{other}" }, ["type"] = type });
        node["link"] = links;
        if (deactivate)
            node["active"] = false;
        await store.UpdateAsync("Patient", id, node, null, row.EstablishmentId, ct);
    }
}
