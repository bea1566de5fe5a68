namespace Vigie.Sigma;

/// <summary>Why a rule document was rejected: the file, the line, the rule id when known, and what is wrong.</summary>
/// <param name="Path">The file.</param>
/// <param name="Line">The 1-based line of the offending node (0 when the whole file is unreadable).</param>
/// <param name="RuleId">The rule's id, when the document got far enough to have one.</param>
/// <param name="Message">What is wrong, in one line.</param>
public sealed record SigmaLoadError(string Path, int Line, string? RuleId, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Path}{(Line > 0 ? ":" + Line : "")}{(RuleId is null ? "" : $" (rule {RuleId})")}: {Message}";
}
