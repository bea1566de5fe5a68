using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Vigie.Formats.Evtx;

/// <summary>A structural fault in Binary XML, at a chunk offset; caught per record and reported as a diagnostic.</summary>
internal sealed class BinXmlException(int offset, string message) : Exception(message)
{
    public int Offset { get; } = offset;
}

internal enum NodeKind : byte
{
    Start,
    Attribute,
    End,
    Text,
    Substitution,
    CharRef,
    EntityRef,
}

/// <summary>One step of a parsed template body (or of an element outside any template).</summary>
internal struct TemplateNode
{
    public NodeKind Kind;
    public bool Optional;
    public ushort Index;
    /// <summary>Text: byte offset in the chunk.</summary>
    public int Offset;
    /// <summary>Text: byte length. Attribute: how many value nodes follow it.</summary>
    public int Length;
    public string? Name;
}

/// <summary>
/// Renders the Binary XML of a chunk's records into tokens. One instance per thread, reused chunk after chunk:
/// its name and template caches are per chunk (names and templates are referenced by chunk offsets),
/// its scratch lists are reused so that rendering a record allocates nothing but the record itself.
/// </summary>
internal sealed class BinXmlRenderer
{
    private const int MaxNesting = 16;
    private const int MaxElementDepth = 96;
    // A template whose substitutions repeat nested Binary XML can expand exponentially: cap what one record renders.
    private const int MaxTokensPerRecord = 200_000;

    private readonly Dictionary<int, string> _names = new();
    private readonly Dictionary<int, TemplateNode[]> _templates = new();
    private readonly List<TemplateNode> _scratchNodes = new();
    private readonly List<Substitution> _substitutions = new();
    private readonly Stack<int> _openElements = new();

    private byte[] _data = [];
    private int _chunkLength;
    private ArenaBuilder _arena = null!;

    private struct Substitution
    {
        public int Offset;
        public int Size;
        public byte Type;
    }

    [ThreadStatic]
    private static BinXmlRenderer? t_cached;

    public static BinXmlRenderer ForCurrentThread() => t_cached ??= new BinXmlRenderer();

    public void BeginChunk(byte[] data, int chunkLength, ArenaBuilder arena)
    {
        _data = data;
        _chunkLength = chunkLength;
        _arena = arena;
        _names.Clear();
        _templates.Clear();
    }

    /// <summary>Renders one record's Binary XML (chunk offsets <paramref name="start"/>..<paramref name="end"/>) into the scratch tokens.</summary>
    public void RenderRecord(int start, int end)
    {
        _arena.ScratchCount = 0;
        _openElements.Clear();
        _substitutions.Clear();
        try
        {
            RenderFragment(start, end, 0, -1, 0);
            if (_openElements.Count != 0)
                throw new BinXmlException(end, "record ends inside an element");
        }
        catch
        {
            _arena.ScratchCount = 0;
            throw;
        }
    }

    // ---- Fragments and template instances -------------------------------------------------------------

    private int RenderFragment(int pos, int end, int nesting, int substitutionBase, int substitutionCount)
    {
        if (nesting > MaxNesting)
            throw new BinXmlException(pos, $"Binary XML nested more than {MaxNesting} levels deep");
        while (pos < end)
        {
            var token = _data[pos];
            switch (token)
            {
                case 0x00:
                    return pos + 1;
                case 0x0F:
                    Need(pos, 4, end);
                    pos += 4;
                    break;
                case 0x0C:
                    pos = RenderTemplateInstance(pos, end, nesting);
                    break;
                case 0x01 or 0x41:
                    _scratchNodes.Clear();
                    // Inside a Binary XML substitution an element start may lack its dependency identifier (libevtx's
                    // notes): the layout whose name offset makes sense is taken.
                    pos = ParseElement(pos, end, _scratchNodes, 0, allowMissingDependency: nesting > 0);
                    var nodes = CollectionsMarshal.AsSpan(_scratchNodes).ToArray();
                    Execute(nodes, substitutionBase, substitutionCount, nesting);
                    break;
                case 0x0A:
                    Need(pos, 5, end);
                    pos = SkipName(pos + 1, end);
                    break;
                case 0x0B:
                    Need(pos, 3, end);
                    pos += 3 + (2 * BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 1)));
                    if (pos > end)
                        throw new BinXmlException(pos, "processing instruction runs past the end of the record");
                    break;
                default:
                    throw new BinXmlException(pos, $"unexpected Binary XML token 0x{token:x2}");
            }
        }
        return pos;
    }

    private int RenderTemplateInstance(int pos, int end, int nesting)
    {
        Need(pos, 10, end);
        var definitionOffset = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(pos + 6)), int.MaxValue);
        pos += 10;
        TemplateNode[] template;
        if (definitionOffset == pos)
        {
            Need(pos, 24, end);
            var dataSize = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(pos + 20));
            if (dataSize > (uint)(end - pos - 24))
                throw new BinXmlException(pos, $"template definition size {dataSize} runs past the end of the record");
            template = GetTemplate(definitionOffset);
            pos += 24 + (int)dataSize;
        }
        else
        {
            template = GetTemplate(definitionOffset);
        }

        Need(pos, 4, end);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(pos));
        pos += 4;
        if (count > (uint)(end - pos) / 4)
            throw new BinXmlException(pos - 4, $"template instance declares {count} values, more than the record can hold");
        var valuesStart = pos + ((int)count * 4);
        var substitutionBase = _substitutions.Count;
        var valueOffset = valuesStart;
        for (var i = 0; i < (int)count; i++)
        {
            var size = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + (i * 4)));
            var type = _data[pos + (i * 4) + 2];
            if (size > end - valueOffset)
                throw new BinXmlException(pos + (i * 4), $"substitution value {i} ({size} bytes) runs past the end of the record");
            _substitutions.Add(new Substitution { Offset = valueOffset, Size = size, Type = type });
            valueOffset += size;
        }
        Execute(template, substitutionBase, (int)count, nesting);
        _substitutions.RemoveRange(substitutionBase, _substitutions.Count - substitutionBase);
        return valueOffset;
    }

    private TemplateNode[] GetTemplate(int offset)
    {
        if (_templates.TryGetValue(offset, out var cached))
            return cached;
        if (offset < 512 || offset > _chunkLength - 24)
            throw new BinXmlException(offset, $"template definition offset 0x{offset:x} is outside the chunk's records");
        var dataSize = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset + 20));
        var bodyStart = offset + 24;
        if (dataSize > (uint)(_chunkLength - bodyStart))
            throw new BinXmlException(offset, $"template definition size {dataSize} runs past the end of the chunk");
        var bodyEnd = bodyStart + (int)dataSize;
        var nodes = new List<TemplateNode>(64);
        var pos = bodyStart;
        while (pos < bodyEnd)
        {
            var token = _data[pos];
            if (token == 0x0F)
            {
                Need(pos, 4, bodyEnd);
                pos += 4;
            }
            else if (token is 0x01 or 0x41)
                pos = ParseElement(pos, bodyEnd, nodes, 0, allowMissingDependency: false);
            else if (token == 0x00)
                break;
            else if (token == 0x0C)
                throw new BinXmlException(pos, "template definition contains a template instance (template loop)");
            else
                throw new BinXmlException(pos, $"unexpected token 0x{token:x2} in template definition");
        }
        var result = nodes.ToArray();
        _templates[offset] = result;
        return result;
    }

    // ---- Parsing elements into nodes ------------------------------------------------------------------

    private int ParseElement(int pos, int end, List<TemplateNode> nodes, int depth, bool allowMissingDependency)
    {
        if (depth > MaxElementDepth)
            throw new BinXmlException(pos, $"elements nested more than {MaxElementDepth} deep");
        var hasAttributes = (_data[pos] & 0x40) != 0;
        var start = pos;
        Need(pos, 11, end);
        var nameOffsetPosition = pos + 7;
        if (allowMissingDependency && !IsPlausibleName(ReadOffset(pos + 7), pos + 11, end) && IsPlausibleName(ReadOffset(pos + 5), pos + 9, end))
            nameOffsetPosition = pos + 5;
        pos = nameOffsetPosition + 4;
        var name = ReadName(ReadOffset(nameOffsetPosition), ref pos, end);
        nodes.Add(new TemplateNode { Kind = NodeKind.Start, Name = name, Offset = start });
        if (hasAttributes)
        {
            Need(pos, 4, end);
            pos += 4; // attribute list size: the attributes are read token by token instead.
            while (pos < end && (_data[pos] & 0xBF) == 0x06)
            {
                Need(pos, 5, end);
                var attributePosition = pos;
                pos += 5;
                var attributeName = ReadName(ReadOffset(attributePosition + 1), ref pos, end);
                var attributeIndex = nodes.Count;
                nodes.Add(new TemplateNode { Kind = NodeKind.Attribute, Name = attributeName });
                var parts = 0;
                while (pos < end && IsValueToken(_data[pos]))
                {
                    pos = ParseValuePart(pos, end, nodes);
                    parts++;
                }
                CollectionsMarshal.AsSpan(nodes)[attributeIndex].Length = parts;
            }
        }
        if (pos >= end)
            throw new BinXmlException(pos, "element start runs past the end of its data");
        var close = _data[pos];
        if (close == 0x03)
        {
            nodes.Add(new TemplateNode { Kind = NodeKind.End });
            return pos + 1;
        }
        if (close != 0x02)
            throw new BinXmlException(pos, $"expected the end of the start tag of <{name}>, found token 0x{close:x2}");
        pos++;
        while (true)
        {
            if (pos >= end)
                throw new BinXmlException(pos, $"element <{name}> is not closed before the end of its data");
            var token = _data[pos];
            switch (token)
            {
                case 0x04:
                    nodes.Add(new TemplateNode { Kind = NodeKind.End });
                    return pos + 1;
                case 0x01 or 0x41:
                    pos = ParseElement(pos, end, nodes, depth + 1, allowMissingDependency: false);
                    break;
                case 0x05 or 0x45 or 0x0D or 0x0E or 0x08 or 0x48 or 0x09 or 0x49 or 0x07 or 0x47:
                    pos = ParseValuePart(pos, end, nodes);
                    break;
                case 0x0A:
                    Need(pos, 5, end);
                    pos = SkipName(pos + 1, end);
                    break;
                case 0x0B:
                    Need(pos, 3, end);
                    pos += 3 + (2 * BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 1)));
                    break;
                default:
                    throw new BinXmlException(pos, $"unexpected token 0x{token:x2} inside element <{name}>");
            }
        }
    }

    private static bool IsValueToken(byte token) => token is 0x05 or 0x45 or 0x0D or 0x0E or 0x08 or 0x48 or 0x09 or 0x49;

    private int ParseValuePart(int pos, int end, List<TemplateNode> nodes)
    {
        var token = _data[pos];
        switch (token)
        {
            case 0x05 or 0x45:
            {
                Need(pos, 4, end);
                var chars = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 2));
                Need(pos, 4 + (chars * 2), end);
                nodes.Add(new TemplateNode { Kind = NodeKind.Text, Offset = pos + 4, Length = chars * 2 });
                return pos + 4 + (chars * 2);
            }
            case 0x07 or 0x47:
            {
                Need(pos, 3, end);
                var chars = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 1));
                Need(pos, 3 + (chars * 2), end);
                nodes.Add(new TemplateNode { Kind = NodeKind.Text, Offset = pos + 3, Length = chars * 2 });
                return pos + 3 + (chars * 2);
            }
            case 0x0D or 0x0E:
                Need(pos, 4, end);
                nodes.Add(new TemplateNode
                {
                    Kind = NodeKind.Substitution,
                    Optional = token == 0x0E,
                    Index = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 1)),
                });
                return pos + 4;
            case 0x08 or 0x48:
                Need(pos, 3, end);
                nodes.Add(new TemplateNode { Kind = NodeKind.CharRef, Index = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos + 1)) });
                return pos + 3;
            default: // 0x09, 0x49: entity reference
                Need(pos, 5, end);
                var after = pos + 5;
                var entity = ReadName(ReadOffset(pos + 1), ref after, end);
                nodes.Add(new TemplateNode { Kind = NodeKind.EntityRef, Name = entity });
                return after;
        }
    }

    private int ReadOffset(int position) => (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(position)), int.MaxValue);

    private bool IsPlausibleName(int nameOffset, int position, int end)
    {
        if (nameOffset == position)
            return position + 8 <= end && position + 10 + (2 * BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(position + 6))) <= end;
        return nameOffset >= 512 && nameOffset < position && (_names.ContainsKey(nameOffset) || nameOffset + 8 <= _chunkLength);
    }

    private int SkipName(int offsetPosition, int end)
    {
        var pos = offsetPosition + 4;
        ReadName(ReadOffset(offsetPosition), ref pos, end);
        return pos;
    }

    /// <summary>Reads a name by its chunk offset; when it is stored right here (<paramref name="pos"/>), steps over it.</summary>
    private string ReadName(int offset, ref int pos, int end)
    {
        var inline = offset == pos;
        if (!inline && _names.TryGetValue(offset, out var known))
            return known;
        if (offset < 128 || offset > _chunkLength - 8)
            throw new BinXmlException(pos, $"name offset 0x{offset:x} is outside the chunk");
        var chars = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset + 6));
        var nameEnd = offset + 8 + (2 * chars);
        if (nameEnd > _chunkLength || (inline && nameEnd + 2 > end))
            throw new BinXmlException(offset, $"name of {chars} characters runs past the end of its data");
        var name = NameTable.Intern(MemoryMarshal.Cast<byte, char>(_data.AsSpan(offset + 8, 2 * chars)));
        _names[offset] = name;
        if (inline)
            pos = nameEnd + 2;
        return name;
    }

    private static void Need(int pos, int count, int end)
    {
        if (count > end - pos)
            throw new BinXmlException(pos, "data ends in the middle of a Binary XML token");
    }

    // ---- Executing nodes with substitution values -----------------------------------------------------

    private void Execute(TemplateNode[] nodes, int substitutionBase, int substitutionCount, int nesting)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            ref readonly var node = ref nodes[i];
            switch (node.Kind)
            {
                case NodeKind.Start:
                    _openElements.Push(Emit(new RenderToken { Kind = TokenKind.Start, Name = node.Name }));
                    break;
                case NodeKind.End:
                    var end = Emit(new RenderToken { Kind = TokenKind.End });
                    if (_openElements.Count == 0)
                        throw new BinXmlException(node.Offset, "element end without a start");
                    _arena.Scratch[_openElements.Pop()].Match = end;
                    break;
                case NodeKind.Attribute:
                    EmitAttribute(nodes, i, substitutionBase, substitutionCount);
                    i += node.Length;
                    break;
                case NodeKind.Text:
                    Emit(new RenderToken { Kind = TokenKind.Value, Value = new EvtxValue(EvtxValueType.String, _data, node.Offset, node.Length) });
                    break;
                case NodeKind.CharRef:
                    Emit(new RenderToken { Kind = TokenKind.Value, Value = new EvtxValue(((char)node.Index).ToString()) });
                    break;
                case NodeKind.EntityRef:
                    Emit(new RenderToken { Kind = TokenKind.Value, Value = new EvtxValue(ResolveEntity(node.Name!)) });
                    break;
                case NodeKind.Substitution:
                    EmitSubstitution(node, substitutionBase, substitutionCount, nesting);
                    break;
            }
        }
    }

    private int Emit(in RenderToken token)
    {
        if (_arena.ScratchCount >= MaxTokensPerRecord)
            throw new BinXmlException(0, $"record expands to more than {MaxTokensPerRecord} XML tokens (substitution loop?)");
        return _arena.AddScratch(token);
    }

    private static string ResolveEntity(string name) => name switch
    {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => "&" + name + ";",
    };

    private void EmitAttribute(TemplateNode[] nodes, int index, int substitutionBase, int substitutionCount)
    {
        var parts = nodes.AsSpan(index + 1, nodes[index].Length);
        // An attribute made only of optional substitutions that are empty is left out, as Windows does.
        var allEmptyOptional = true;
        foreach (ref readonly var part in parts)
        {
            if (part.Kind != NodeKind.Substitution || !part.Optional || !IsEmpty(SubstitutionAt(part.Index, substitutionBase, substitutionCount)))
            {
                allEmptyOptional = false;
                break;
            }
        }
        if (allEmptyOptional)
            return;
        EvtxValue value;
        if (parts.Length == 1)
            value = PartValue(parts[0], substitutionBase, substitutionCount);
        else
        {
            var text = new System.Text.StringBuilder();
            foreach (ref readonly var part in parts)
                text.Append(PartValue(part, substitutionBase, substitutionCount).ToString());
            value = new EvtxValue(text.ToString());
        }
        Emit(new RenderToken { Kind = TokenKind.Attribute, Name = nodes[index].Name, Value = value });
    }

    private EvtxValue PartValue(in TemplateNode part, int substitutionBase, int substitutionCount) => part.Kind switch
    {
        NodeKind.Text => new EvtxValue(EvtxValueType.String, _data, part.Offset, part.Length),
        NodeKind.CharRef => new EvtxValue(((char)part.Index).ToString()),
        NodeKind.EntityRef => new EvtxValue(ResolveEntity(part.Name!)),
        NodeKind.Substitution => ScalarValue(SubstitutionAt(part.Index, substitutionBase, substitutionCount)),
        _ => default,
    };

    private Substitution SubstitutionAt(int index, int substitutionBase, int substitutionCount) =>
        index < substitutionCount && substitutionBase >= 0 ? _substitutions[substitutionBase + index] : default;

    private static bool IsEmpty(in Substitution value) => value.Type == 0 || value.Size == 0;

    private EvtxValue ScalarValue(in Substitution value)
    {
        if (value.Type == 0)
            return default;
        // Arrays and nested XML inside an attribute have no scalar rendering: keep their bytes.
        var type = (value.Type & 0x80) != 0 || value.Type == 0x21 ? EvtxValueType.Binary : (EvtxValueType)value.Type;
        return new EvtxValue(type, _data, value.Offset, value.Size);
    }

    private void EmitSubstitution(in TemplateNode node, int substitutionBase, int substitutionCount, int nesting)
    {
        var value = SubstitutionAt(node.Index, substitutionBase, substitutionCount);
        if (value.Type == 0)
        {
            if (!node.Optional)
                Emit(new RenderToken { Kind = TokenKind.Value, Value = default });
            return;
        }
        if (value.Type == 0x21)
        {
            if (value.Size > 0)
                RenderFragment(value.Offset, value.Offset + value.Size, nesting + 1, substitutionBase, substitutionCount);
            return;
        }
        if ((value.Type & 0x80) != 0)
        {
            EmitArray(value);
            return;
        }
        Emit(new RenderToken { Kind = TokenKind.Value, Value = new EvtxValue((EvtxValueType)value.Type, _data, value.Offset, value.Size) });
    }

    private void EmitArray(in Substitution value)
    {
        var itemType = (EvtxValueType)(value.Type & 0x7F);
        var data = _data.AsSpan(value.Offset, value.Size);
        var emitted = 0;
        switch (itemType)
        {
            case EvtxValueType.String:
                for (var start = 0; start + 1 < data.Length;)
                {
                    var chars = MemoryMarshal.Cast<byte, char>(data[start..(data.Length & ~1)]);
                    var length = chars.IndexOf('\0');
                    var byteLength = length < 0 ? chars.Length * 2 : length * 2;
                    EmitItem(itemType, value.Offset + start, byteLength);
                    emitted++;
                    start += byteLength + 2;
                }
                break;
            case EvtxValueType.AnsiString:
                for (var start = 0; start < data.Length;)
                {
                    var length = data[start..].IndexOf((byte)0);
                    var byteLength = length < 0 ? data.Length - start : length;
                    EmitItem(itemType, value.Offset + start, byteLength);
                    emitted++;
                    start += byteLength + 1;
                }
                break;
            case EvtxValueType.Sid:
                for (var start = 0; start + 8 <= data.Length;)
                {
                    var size = 8 + (4 * data[start + 1]);
                    if (start + size > data.Length)
                        break;
                    EmitItem(itemType, value.Offset + start, size);
                    emitted++;
                    start += size;
                }
                break;
            default:
                var itemSize = itemType switch
                {
                    EvtxValueType.Int8 or EvtxValueType.UInt8 => 1,
                    EvtxValueType.Int16 or EvtxValueType.UInt16 => 2,
                    EvtxValueType.Int32 or EvtxValueType.UInt32 or EvtxValueType.Real32 or EvtxValueType.Boolean or EvtxValueType.HexInt32 => 4,
                    EvtxValueType.Int64 or EvtxValueType.UInt64 or EvtxValueType.Real64 or EvtxValueType.FileTime or EvtxValueType.HexInt64 => 8,
                    EvtxValueType.SizeT => data.Length % 8 == 0 ? 8 : 4,
                    EvtxValueType.Guid or EvtxValueType.SystemTime => 16,
                    _ => 0,
                };
                if (itemSize == 0)
                {
                    EmitItem(EvtxValueType.Binary, value.Offset, value.Size);
                    emitted++;
                    break;
                }
                for (var start = 0; start + itemSize <= data.Length; start += itemSize)
                {
                    EmitItem(itemType, value.Offset + start, itemSize);
                    emitted++;
                }
                break;
        }
        if (emitted == 0)
            Emit(new RenderToken { Kind = TokenKind.Value, ArrayItem = true, Value = default });
    }

    private void EmitItem(EvtxValueType type, int offset, int length) =>
        Emit(new RenderToken { Kind = TokenKind.Value, ArrayItem = true, Value = new EvtxValue(type, _data, offset, length) });
}
