namespace Vigie.Formats.Evtx;

internal enum TokenKind : byte
{
    Start,
    Attribute,
    Value,
    End,
}

/// <summary>One step of a rendered event: an element start or end, an attribute with its value, or a piece of content.</summary>
internal struct RenderToken
{
    public TokenKind Kind;
    /// <summary>A value that is one item of an array substitution (JSON renders the items as an array).</summary>
    public bool ArrayItem;
    /// <summary>For a start token, the index of its end token.</summary>
    public int Match;
    public string? Name;
    public EvtxValue Value;
}

internal struct FieldEntry
{
    public string Name;
    public EvtxSection Section;
    public bool IsList;
    public int ValueStart;
    public int ValueCount;
}

/// <summary>
/// The rendered records of one chunk, stored in a few shared arrays rather than objects per record:
/// a chunk holds a few hundred records, and one allocation per array per chunk keeps the per-record cost to the record itself.
/// </summary>
internal sealed class RecordArena
{
    public RenderToken[] Tokens = new RenderToken[4096];
    public int TokenCount;
    public FieldEntry[] Fields = new FieldEntry[1024];
    public int FieldCount;
    public EvtxValue[] Values = new EvtxValue[1024];
    public int ValueCount;

    public int AddToken(in RenderToken token)
    {
        if (TokenCount == Tokens.Length)
            Array.Resize(ref Tokens, Tokens.Length * 2);
        Tokens[TokenCount] = token;
        return TokenCount++;
    }

    public int AddField(in FieldEntry field)
    {
        if (FieldCount == Fields.Length)
            Array.Resize(ref Fields, Fields.Length * 2);
        Fields[FieldCount] = field;
        return FieldCount++;
    }

    public int AddValue(in EvtxValue value)
    {
        if (ValueCount == Values.Length)
            Array.Resize(ref Values, Values.Length * 2);
        Values[ValueCount] = value;
        return ValueCount++;
    }
}
