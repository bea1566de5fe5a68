using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;

namespace Vigie.Core.Incidents;

/// <summary>
/// Evidence files of incidents: size-limited, hashed (SHA-256) as they arrive, never modified, and every
/// access (download, verification, transfer) written to the file's chain of custody.
/// </summary>
public sealed class EvidenceLocker(VigieDbContext db, IncidentDesk desk, IncidentOptions options, TimeProvider time)
{
    /// <summary>An evidence file without its content.</summary>
    public sealed record Summary(long Id, long IncidentId, string Name, string? Description, string MediaType, long Size, string Sha256, string AddedBy, DateTime AddedAt);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public long MaxBytes => options.EvidenceMaxBytes;

    public async Task<Summary> AddAsync(long incidentId, string? name, string? mediaType, string? description, Stream content, Actor actor,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await desk.FindAsync(incidentId, visibility, ct: ct);
        visibility.EnsureResponder(incident, "adding evidence");
        var fileName = CleanName(name);
        var type = string.IsNullOrWhiteSpace(mediaType) ? "application/octet-stream" : mediaType.Split(';')[0].Trim().ToLowerInvariant();
        if (type.Length > 100)
            throw VigieException.Invalid("the media type exceeds 100 characters");
        using var buffer = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > options.EvidenceMaxBytes)
                throw VigieException.Invalid($"the evidence file exceeds the limit of {options.EvidenceMaxBytes} bytes");
            hash.AppendData(chunk, 0, read);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
            throw VigieException.Invalid("the evidence file is empty");
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        var now = Now;
        var evidence = new IncidentEvidence
        {
            IncidentId = incidentId,
            Name = fileName,
            Description = IncidentDesk.Clean(description, "description", 4000),
            MediaType = type,
            Size = buffer.Length,
            Sha256 = sha,
            Content = buffer.ToArray(),
            AddedBy = actor.Name,
            AddedAt = now,
        };
        evidence.Custody.Add(Custody(actor, "collected", $"added to incident {incidentId} ({buffer.Length} bytes)", sha));
        db.IncidentEvidence.Add(evidence);
        db.IncidentTimeline.Add(new IncidentTimelineEntry
        {
            IncidentId = incidentId,
            Time = now,
            RecordedAt = now,
            Kind = "automatic",
            Actor = actor.Name,
            ActorId = actor.UserId,
            Text = $"Evidence added by {actor.Name}: {fileName} ({buffer.Length} bytes, SHA-256 {sha})",
        });
        incident.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return ToSummary(evidence);
    }

    public async Task<IReadOnlyList<Summary>> ListAsync(long incidentId, IncidentVisibility visibility, CancellationToken ct = default)
    {
        await desk.FindAsync(incidentId, visibility, ct: ct);
        return await db.IncidentEvidence.AsNoTracking().Where(e => e.IncidentId == incidentId).OrderBy(e => e.Id)
            .Select(e => new Summary(e.Id, e.IncidentId, e.Name, e.Description, e.MediaType, e.Size, e.Sha256, e.AddedBy, e.AddedAt))
            .ToListAsync(ct);
    }

    /// <summary>The file's content for a download, recorded in its chain of custody.</summary>
    public async Task<(Summary Summary, byte[] Content)> DownloadAsync(long incidentId, long evidenceId, string? purpose, Actor actor,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await desk.FindAsync(incidentId, visibility, ct: ct);
        visibility.EnsureResponder(incident, "handling evidence");
        var evidence = await FindAsync(incidentId, evidenceId, ct);
        db.EvidenceCustody.Add(Custody(actor, "downloaded", IncidentDesk.Clean(purpose, "purpose", 1000), evidence.Sha256, evidence.Id));
        await db.SaveChangesAsync(ct);
        return (ToSummary(evidence), evidence.Content);
    }

    /// <summary>Recomputes the content's SHA-256; the result (intact or not) is recorded in the chain of custody.</summary>
    public async Task<(Summary Summary, bool Intact, string Computed)> VerifyAsync(long incidentId, long evidenceId, Actor actor,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await desk.FindAsync(incidentId, visibility, ct: ct);
        visibility.EnsureResponder(incident, "handling evidence");
        var evidence = await FindAsync(incidentId, evidenceId, ct);
        var computed = Convert.ToHexStringLower(SHA256.HashData(evidence.Content));
        var intact = computed == evidence.Sha256;
        db.EvidenceCustody.Add(Custody(actor, "verified", intact ? "hash matches" : $"HASH MISMATCH: recorded {evidence.Sha256}", computed, evidence.Id));
        await db.SaveChangesAsync(ct);
        return (ToSummary(evidence), intact, computed);
    }

    /// <summary>Records that the evidence (or a copy) was handed to someone: an investigator, a court, an authority.</summary>
    public async Task<EvidenceCustodyEntry> TransferAsync(long incidentId, long evidenceId, string? to, string? reason, Actor actor,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        var incident = await desk.FindAsync(incidentId, visibility, ct: ct);
        visibility.EnsureResponder(incident, "handling evidence");
        var recipient = IncidentDesk.Clean(to, "to", 300) ?? throw VigieException.Invalid("'to' names who receives the evidence");
        var why = IncidentDesk.Clean(reason, "reason", 1000) ?? throw VigieException.Invalid("'reason' is required");
        var evidence = await FindAsync(incidentId, evidenceId, ct);
        var entry = Custody(actor, "transferred", $"to {recipient}: {why}", evidence.Sha256, evidence.Id);
        db.EvidenceCustody.Add(entry);
        await db.SaveChangesAsync(ct);
        return entry;
    }

    public async Task<(Summary Summary, IReadOnlyList<EvidenceCustodyEntry> Custody)> CustodyAsync(long incidentId, long evidenceId,
        IncidentVisibility visibility, CancellationToken ct = default)
    {
        await desk.FindAsync(incidentId, visibility, ct: ct);
        var summary = await db.IncidentEvidence.AsNoTracking().Where(e => e.Id == evidenceId && e.IncidentId == incidentId)
            .Select(e => new Summary(e.Id, e.IncidentId, e.Name, e.Description, e.MediaType, e.Size, e.Sha256, e.AddedBy, e.AddedAt))
            .SingleOrDefaultAsync(ct) ?? throw VigieException.NotFound($"evidence {evidenceId} of incident {incidentId} does not exist");
        var custody = await db.EvidenceCustody.AsNoTracking().Where(c => c.EvidenceId == evidenceId).OrderBy(c => c.Id).ToListAsync(ct);
        return (summary, custody);
    }

    private async Task<IncidentEvidence> FindAsync(long incidentId, long evidenceId, CancellationToken ct) =>
        await db.IncidentEvidence.AsNoTracking().SingleOrDefaultAsync(e => e.Id == evidenceId && e.IncidentId == incidentId, ct)
            ?? throw VigieException.NotFound($"evidence {evidenceId} of incident {incidentId} does not exist");

    private EvidenceCustodyEntry Custody(Actor actor, string action, string? detail, string sha, long evidenceId = 0) => new()
    {
        EvidenceId = evidenceId,
        Time = Now,
        Actor = actor.Name,
        ActorId = actor.UserId,
        ActorAddress = actor.Address,
        Action = action,
        Detail = detail,
        Sha256 = sha,
    };

    private static Summary ToSummary(IncidentEvidence e) => new(e.Id, e.IncidentId, e.Name, e.Description, e.MediaType, e.Size, e.Sha256, e.AddedBy, e.AddedAt);

    private static string CleanName(string? name)
    {
        var n = Path.GetFileName((name ?? "").Replace('\\', '/')).Trim();
        if (n.Length == 0)
            throw VigieException.Invalid("the evidence file needs a name ('name')");
        if (n.Length > 255 || n.Any(char.IsControl))
            throw VigieException.Invalid("the evidence file's name must be at most 255 printable characters");
        return n;
    }
}
