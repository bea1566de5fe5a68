namespace Vigie.Sigma;

/// <summary>An entry of a rule's <c>related</c> list.</summary>
/// <param name="Id">The related rule's id.</param>
/// <param name="Type">How it is related: derived, obsolete, merged, renamed, similar.</param>
public sealed record SigmaRelatedRule(string Id, string Type);
