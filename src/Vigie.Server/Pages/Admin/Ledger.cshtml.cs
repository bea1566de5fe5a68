using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Admin;

/// <summary>
/// The audit ledger's status: how many entries and signed checkpoints, the last of each, and the verdict of a
/// verification of the whole hash chain and of every checkpoint signature — intact, or broken at entry N and how.
/// The last verdict is kept in memory with who asked and when; a ledger of up to <see cref="AutoVerifyEntries"/>
/// entries is verified on opening the page.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Ledger)]
internal sealed class LedgerModel(CurrentUser current, ConsoleFocus focus, LedgerVerifier verifier, LedgerSigner signer, IMemoryCache cache, VigieDbContext db) : ConsolePage
{
    public const long AutoVerifyEntries = 200_000;
    private const string CacheKey = "console:ledger-verification";

    public sealed record Verdict(LedgerVerification Result, DateTime At, string By, long Milliseconds);

    public long Entries { get; private set; }
    public long Checkpoints { get; private set; }
    public long Pending { get; private set; }
    public LedgerEntry? Last { get; private set; }
    public LedgerCheckpoint? LastCheckpoint { get; private set; }
    public Verdict? Latest { get; private set; }
    public string? KeyId { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Latest = cache.Get<Verdict>(CacheKey);
        if (Latest is null && Entries <= AutoVerifyEntries)
            Latest = await VerifyAsync(ct);
    }

    public async Task OnPostVerifyAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Latest = await VerifyAsync(ct);
    }

    private async Task<Verdict> VerifyAsync(CancellationToken ct)
    {
        using var key = signer.PublicKey();
        var clock = Stopwatch.StartNew();
        var result = await verifier.VerifyAsync(key, ct);
        var verdict = new Verdict(result, DateTime.UtcNow, current.Username, clock.ElapsedMilliseconds);
        cache.Set(CacheKey, verdict, TimeSpan.FromHours(12));
        return verdict;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        Entries = await db.AuditLedger.LongCountAsync(ct);
        Checkpoints = await db.AuditCheckpoints.LongCountAsync(ct);
        Pending = await db.AuditLedger.LongCountAsync(e => !e.Forwarded, ct);
        Last = await db.AuditLedger.AsNoTracking().OrderByDescending(e => e.Seq).FirstOrDefaultAsync(ct);
        LastCheckpoint = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Seq).FirstOrDefaultAsync(ct);
        try
        {
            using var key = signer.PublicKey();
            KeyId = key is null ? null : LedgerSigner.Fingerprint(key);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            KeyId = null;
        }
    }

    public static DateTime Utc(long microseconds) => DateTime.UnixEpoch.AddTicks(microseconds * 10);
}
