namespace Vigie.Sigma;

/// <summary>The <c>logsource</c> of a rule or filter: which events it is written for.</summary>
/// <param name="Product">The product (<c>windows</c>, <c>linux</c>, <c>aws</c>, …), lower case, or null.</param>
/// <param name="Category">The category (<c>process_creation</c>, <c>file_event</c>, …), lower case, or null.</param>
/// <param name="Service">The service (<c>security</c>, <c>sysmon</c>, <c>cloudtrail</c>, …), lower case, or null.</param>
public sealed record SigmaLogsource(string? Product, string? Category, string? Service)
{
    /// <summary>The free-text <c>definition</c>, if any.</summary>
    public string? Definition { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join('/', new[] { Product, Category, Service }.Where(p => p is not null));
}
