namespace Vigie.Core.Events.Query;

/// <summary>
/// A search over stored events as a store-neutral tree; each store translates it to its own SQL
/// (the way FHIR servers turn search parameters into expressions that each store rewrites).
/// </summary>
public abstract record QueryNode;

public sealed record AndNode(IReadOnlyList<QueryNode> Children) : QueryNode;

public sealed record OrNode(IReadOnlyList<QueryNode> Children) : QueryNode;

public sealed record NotNode(QueryNode Child) : QueryNode;

/// <summary><c>field:value</c>; with <see cref="Wildcard"/>, <c>*</c> and <c>?</c> in the value match any text and any one character.</summary>
public sealed record FieldMatch(string Field, string Value, bool Wildcard) : QueryNode;

/// <summary><c>field:[lo TO hi]</c>, <c>field:&gt;=lo</c>: numbers when both bounds are numbers, times when they are dates, text otherwise.</summary>
public sealed record RangeMatch(string Field, string? Low, string? High, bool IncludeLow, bool IncludeHigh) : QueryNode;

/// <summary><c>_exists_:field</c>.</summary>
public sealed record FieldExists(string Field) : QueryNode;

/// <summary>Text anywhere in the event (any field, the raw text included).</summary>
public sealed record FreeText(string Text) : QueryNode;
