namespace Vigie.Formats.Evtx;

/// <summary>
/// Something wrong in an EVTX file that the reader stepped over: a damaged chunk it skipped, a record it could
/// not render, a header it did not trust. Reading goes on after every diagnostic.
/// </summary>
/// <param name="File">The file's name as given to the reader.</param>
/// <param name="ChunkIndex">The chunk's index in the file (0 for the first chunk), or -1 for the file header.</param>
/// <param name="Offset">The byte offset in the file where the problem was found.</param>
/// <param name="RecordId">The record's identifier, when the problem is in one record.</param>
/// <param name="Reason">What is wrong, in one sentence.</param>
public sealed record EvtxDiagnostic(string File, int ChunkIndex, long Offset, ulong? RecordId, string Reason)
{
    /// <summary><c>FILE: chunk N (offset 0x…): reason</c>, or <c>FILE: header: reason</c>.</summary>
    public override string ToString()
    {
        var where = ChunkIndex < 0 ? "header" : $"chunk {ChunkIndex}";
        var record = RecordId is { } id ? $", record {id}" : "";
        return $"{File}: {where}{record} (offset 0x{Offset:x}): {Reason}";
    }
}
