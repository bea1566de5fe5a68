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
    public int ValueStart;
    public int ValueCount;
    public EvtxSection Section;
    public bool IsList;
}

internal enum PartKind : byte
{
    System,
    EventData,
    /// <summary>Any other part (UserData, RenderingInfo…): kept as tokens and rendered as nested JSON.</summary>
    Nested,
}

/// <summary>A child of the event's root element, in document order, for JSON rendering.</summary>
internal struct PartEntry
{
    public string Name;
    public PartKind Kind;
    public int TokenStart;
}

/// <summary>
/// The rendered records of one chunk, in a few exact-size arrays shared by its records. Only the fields and values
/// are kept for every record; tokens only for parts rendered as nested JSON (UserData and the like).
/// Measured: keeping every record's tokens in growable arrays allocated 12 KB per record and held parsing to
/// 197k records/s on one core; exact-size arrays of fields alone brought it to about 1.5 KB.
/// </summary>
internal sealed class RecordArena
{
    public FieldEntry[] Fields = [];
    public EvtxValue[] Values = [];
    public RenderToken[] Tokens = [];
    public PartEntry[] Parts = [];

    // Field texts rendered so far, one slot per field of the chunk, allocated on first use: a detection engine asks
    // for the same field's text once per rule, and rendering it once per record spares an allocation per rule.
    private string?[]? _texts;

    public string FieldText(int field)
    {
        var texts = _texts ?? Interlocked.CompareExchange(ref _texts, new string?[Fields.Length], null) ?? _texts!;
        return texts[field] ??= RenderFieldText(field);
    }

    private string RenderFieldText(int field)
    {
        ref readonly var entry = ref Fields[field];
        if (entry.ValueCount == 1)
            return Values[entry.ValueStart].ToString();
        var text = new System.Text.StringBuilder();
        foreach (var value in Values.AsSpan(entry.ValueStart, entry.ValueCount))
        {
            if (text.Length > 0)
                text.Append('\n');
            text.Append(value.ToString());
        }
        return text.ToString();
    }
}

/// <summary>Per-thread growable buffers a chunk is rendered into, copied to an exact-size <see cref="RecordArena"/> at the end.</summary>
internal sealed class ArenaBuilder
{
    public RenderToken[] Scratch = new RenderToken[1024];
    public int ScratchCount;
    public FieldEntry[] Fields = new FieldEntry[4096];
    public int FieldCount;
    public EvtxValue[] Values = new EvtxValue[4096];
    public int ValueCount;
    public RenderToken[] Tokens = new RenderToken[256];
    public int TokenCount;
    public PartEntry[] Parts = new PartEntry[512];
    public int PartCount;

    [ThreadStatic]
    private static ArenaBuilder? t_cached;

    public static ArenaBuilder ForCurrentThread() => t_cached ??= new ArenaBuilder();

    public void Reset()
    {
        ScratchCount = FieldCount = ValueCount = TokenCount = PartCount = 0;
    }

    public int AddScratch(in RenderToken token)
    {
        if (ScratchCount == Scratch.Length)
            Array.Resize(ref Scratch, Scratch.Length * 2);
        Scratch[ScratchCount] = token;
        return ScratchCount++;
    }

    public void AddField(in FieldEntry field)
    {
        if (FieldCount == Fields.Length)
            Array.Resize(ref Fields, Fields.Length * 2);
        Fields[FieldCount++] = field;
    }

    public void AddValue(in EvtxValue value)
    {
        if (ValueCount == Values.Length)
            Array.Resize(ref Values, Values.Length * 2);
        Values[ValueCount++] = value;
    }

    public void AddPart(in PartEntry part)
    {
        if (PartCount == Parts.Length)
            Array.Resize(ref Parts, Parts.Length * 2);
        Parts[PartCount++] = part;
    }

    /// <summary>Copies scratch tokens [start, end] (an element) to the kept tokens, rebasing their end indices.</summary>
    public int KeepTokens(int start, int end)
    {
        var count = end - start + 1;
        while (TokenCount + count > Tokens.Length)
            Array.Resize(ref Tokens, Tokens.Length * 2);
        var shift = TokenCount - start;
        var first = TokenCount;
        for (var i = start; i <= end; i++)
        {
            var token = Scratch[i];
            if (token.Kind == TokenKind.Start)
                token.Match += shift;
            Tokens[TokenCount++] = token;
        }
        return first;
    }

    public void FinishInto(RecordArena arena)
    {
        arena.Fields = Fields.AsSpan(0, FieldCount).ToArray();
        arena.Values = Values.AsSpan(0, ValueCount).ToArray();
        arena.Tokens = Tokens.AsSpan(0, TokenCount).ToArray();
        arena.Parts = Parts.AsSpan(0, PartCount).ToArray();
        // Drop references to this chunk's bytes and strings so that the per-thread buffers do not keep them alive.
        Array.Clear(Scratch, 0, ScratchCount);
        Array.Clear(Values, 0, ValueCount);
        Array.Clear(Tokens, 0, TokenCount);
        Reset();
    }
}
