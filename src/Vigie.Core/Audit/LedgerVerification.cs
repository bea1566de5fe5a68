namespace Vigie.Core.Audit;

/// <summary>What kind of damage verification found at the first bad entry.</summary>
public enum LedgerDamage
{
    None = 0,
    /// <summary>The entry's content no longer gives its hash.</summary>
    Changed = 1,
    /// <summary>An entry is missing (a sequence gap, a broken link to an absent entry, or fewer entries than signed).</summary>
    Removed = 2,
    /// <summary>An entry that was never appended: the chain goes around it.</summary>
    Inserted = 3,
    /// <summary>An entry stands at the wrong place: its predecessor is elsewhere in the ledger.</summary>
    Reordered = 4,
    /// <summary>The chain is consistent but does not reach a signed checkpoint: entries were rewritten with recomputed hashes.</summary>
    Rewritten = 5,
    /// <summary>A checkpoint's signature or chain is wrong.</summary>
    Checkpoint = 6,
}

/// <summary>The result of <see cref="LedgerVerifier"/>: intact, or the first bad entry and what happened to it.</summary>
public sealed record LedgerVerification(long Entries, long Checkpoints, LedgerDamage Damage, long? FirstBadSeq, string Message)
{
    public bool Intact => Damage == LedgerDamage.None;
}
