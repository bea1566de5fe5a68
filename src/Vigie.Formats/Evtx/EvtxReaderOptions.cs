namespace Vigie.Formats.Evtx;

/// <summary>How an <see cref="EvtxReader"/> treats damaged input.</summary>
public sealed class EvtxReaderOptions
{
    /// <summary>The defaults: checksums are verified.</summary>
    public static EvtxReaderOptions Default { get; } = new();

    /// <summary>
    /// When true (the default), a chunk whose header or record-data CRC-32 does not match is reported and skipped.
    /// When false, such chunks are read anyway (records that still parse are returned) and the mismatch is still reported.
    /// </summary>
    public bool ValidateChecksums { get; init; } = true;
}
