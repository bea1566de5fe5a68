namespace Vigie.Formats.Evtx;

/// <summary>
/// A named field of a record: <c>EventID</c>, <c>Channel</c>, <c>CommandLine</c>… with one value, or several
/// (an array substitution, or several elements of the same name, such as unnamed <c>Data</c> elements).
/// </summary>
public readonly struct EvtxField
{
    private readonly RecordArena _arena;
    private readonly int _index;

    internal EvtxField(RecordArena arena, int index)
    {
        _arena = arena;
        _index = index;
    }

    private ref readonly FieldEntry Entry => ref _arena.Fields[_index];

    /// <summary>The field's name, as Sigma rules name it (see <see cref="EvtxRecord"/> for the naming rules).</summary>
    public string Name => Entry.Name;

    /// <summary>The part of the event the field comes from.</summary>
    public EvtxSection Section => Entry.Section;

    /// <summary>How many values the field has (at least one; an empty element has one <see cref="EvtxValueType.Null"/> value).</summary>
    public int Count => Entry.ValueCount;

    /// <summary>True when the field holds a list (JSON renders it as an array), even of one item.</summary>
    public bool IsList => Entry.IsList;

    /// <summary>The first (usually only) value.</summary>
    public EvtxValue Value => _arena.Values[Entry.ValueStart];

    /// <summary>The value at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public EvtxValue this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _arena.Values[Entry.ValueStart + index];
        }
    }

    /// <summary>All values, in document order.</summary>
    public ReadOnlySpan<EvtxValue> Values => _arena.Values.AsSpan(Entry.ValueStart, Entry.ValueCount);

    /// <summary>
    /// The value rendered as text (see <see cref="EvtxValue.ToString"/>); several values are joined with a line feed.
    /// Rendered once per field and kept: asking again returns the same string without allocating.
    /// </summary>
    public override string ToString() => _arena.FieldText(_index);
}
