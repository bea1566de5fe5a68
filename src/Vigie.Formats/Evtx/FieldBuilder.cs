using System.Runtime.InteropServices;

namespace Vigie.Formats.Evtx;

/// <summary>
/// Turns a record's tokens into its flat fields, the names Sigma rules use for Windows events:
/// System children by element name and attributes as <c>Element_Attribute</c> (with <c>TimeCreated</c>,
/// <c>ProcessID</c>, <c>ThreadID</c> and <c>UserID</c> for the system time, execution and security attributes);
/// EventData <c>Data</c> elements by their <c>Name</c>; UserData leaves by element name.
/// Fields of the same name within a part merge into one field with several values (so JSON never repeats a key).
/// </summary>
internal sealed class FieldBuilder
{
    private readonly List<PendingField> _fields = new();
    private readonly List<PendingValue> _values = new();
    private readonly List<EvtxValue> _parts = new();
    private RenderToken[] _tokens = [];

    private struct PendingField
    {
        public string Name;
        public EvtxSection Section;
        public bool IsList;
        public int First;
        public int Last;
        public int Count;
    }

    private struct PendingValue
    {
        public EvtxValue Value;
        public int Next;
    }

    [ThreadStatic]
    private static FieldBuilder? t_cached;

    public static FieldBuilder ForCurrentThread() => t_cached ??= new FieldBuilder();


    private readonly Dictionary<int, string> _dataNames = new();
    private readonly (string Element, string Attribute, string Name)[] _systemNames = new (string, string, string)[32];
    private int _systemNameCount;
    private ArenaBuilder _arena = null!;

    /// <summary>Starts a chunk: Data names are cached by the chunk offset of their text, which is per chunk.</summary>
    public void BeginChunk(ArenaBuilder arena)
    {
        _arena = arena;
        _dataNames.Clear();
    }

    /// <summary>Builds the fields and parts of the record rendered in the arena's scratch tokens.</summary>
    public void Build(out int fieldStart, out int fieldCount, out int partStart, out int partCount)
    {
        _fields.Clear();
        _values.Clear();
        _tokens = _arena.Scratch;
        partStart = _arena.PartCount;
        var end = _arena.ScratchCount;
        var i = 0;
        while (i < end)
        {
            if (_tokens[i].Kind == TokenKind.Start)
            {
                Root(i);
                i = _tokens[i].Match + 1;
            }
            else
                i++;
        }
        fieldStart = _arena.FieldCount;
        foreach (var field in _fields)
        {
            var valueStart = _arena.ValueCount;
            for (var v = field.First; v >= 0; v = _values[v].Next)
                _arena.AddValue(_values[v].Value);
            _arena.AddField(new FieldEntry
            {
                Name = field.Name,
                Section = field.Section,
                IsList = field.IsList,
                ValueStart = valueStart,
                ValueCount = field.Count,
            });
        }
        fieldCount = _fields.Count;
        partCount = _arena.PartCount - partStart;
        _tokens = [];
    }

    private void Root(int root)
    {
        foreach (var child in Children(root))
        {
            var name = _tokens[child].Name!;
            switch (name)
            {
                case "System":
                    _arena.AddPart(new PartEntry { Name = name, Kind = PartKind.System });
                    foreach (var element in Children(child))
                        SystemElement(element);
                    break;
                case "EventData":
                    _arena.AddPart(new PartEntry { Name = name, Kind = PartKind.EventData });
                    foreach (var element in Children(child))
                        EventDataElement(element);
                    break;
                case "UserData":
                    _arena.AddPart(new PartEntry { Name = name, Kind = PartKind.Nested, TokenStart = _arena.KeepTokens(child, _tokens[child].Match) });
                    foreach (var element in Children(child))
                        Leaves(element, EvtxSection.UserData, null);
                    break;
                default:
                    _arena.AddPart(new PartEntry { Name = name, Kind = PartKind.Nested, TokenStart = _arena.KeepTokens(child, _tokens[child].Match) });
                    foreach (var element in Children(child))
                        Leaves(element, EvtxSection.Other, name);
                    break;
            }
        }
    }

    private void SystemElement(int element)
    {
        var name = _tokens[element].Name!;
        for (var i = element + 1; _tokens[i].Kind == TokenKind.Attribute; i++)
            Add(CachedSystemAttributeName(name, _tokens[i].Name!), EvtxSection.System, _tokens[i].Value, false);
        if (HasContent(element))
            AddContent(name, EvtxSection.System, element);
        foreach (var child in Children(element))
            Leaves(child, EvtxSection.System, name);
    }

    // The dozen System attribute names recur in every record: a few reference comparisons beat building the joined name.
    private string CachedSystemAttributeName(string element, string attribute)
    {
        for (var i = 0; i < _systemNameCount; i++)
        {
            ref readonly var entry = ref _systemNames[i];
            if (ReferenceEquals(entry.Element, element) && ReferenceEquals(entry.Attribute, attribute))
                return entry.Name;
        }
        var name = SystemAttributeName(element, attribute);
        _systemNames[_systemNameCount < _systemNames.Length ? _systemNameCount++ : _systemNames.Length - 1] = (element, attribute, name);
        return name;
    }

    internal static string SystemAttributeName(string element, string attribute) => (element, attribute) switch
    {
        ("TimeCreated", "SystemTime") => "TimeCreated",
        ("Execution", "ProcessID") => "ProcessID",
        ("Execution", "ThreadID") => "ThreadID",
        ("Security", "UserID") => "UserID",
        _ => NameTable.InternJoined(element, attribute),
    };

    private void EventDataElement(int element)
    {
        var elementName = _tokens[element].Name!;
        var fieldName = elementName;
        if (elementName == "Data")
        {
            for (var i = element + 1; _tokens[i].Kind == TokenKind.Attribute; i++)
            {
                if (_tokens[i].Name == "Name")
                {
                    fieldName = DataName(_tokens[i].Value);
                    if (fieldName.Length == 0)
                        fieldName = elementName;
                    break;
                }
            }
        }
        var hasChildren = _tokens[element].Match > element + 1 && HasChildElements(element);
        if (!hasChildren || HasContent(element))
            AddContent(fieldName, EvtxSection.EventData, element);
        if (hasChildren)
            foreach (var child in Children(element))
                Leaves(child, EvtxSection.EventData, null);
    }

    // A Data element's Name is literal text of its template: cached by chunk offset, it is interned once per chunk
    // rather than hashed again for every record (about 20 names per Sysmon or Security record).
    private string DataName(EvtxValue value)
    {
        var offset = value.ChunkOffset;
        if (offset >= 0 && value.Type == EvtxValueType.String && _dataNames.TryGetValue(offset, out var cached))
            return cached;
        var name = value.TryGetChars(out var chars) ? NameTable.Intern(chars) : NameTable.Intern(value.ToString());
        if (offset >= 0 && value.Type == EvtxValueType.String && _dataNames.Count < 4096)
            _dataNames[offset] = name;
        return name;
    }

    /// <summary>Leaf elements become fields named after the element (prefixed for parts other than the known ones).</summary>
    private void Leaves(int element, EvtxSection section, string? prefix)
    {
        var name = _tokens[element].Name!;
        var fieldName = prefix is null ? name : NameTable.InternJoined(prefix, name);
        for (var i = element + 1; _tokens[i].Kind == TokenKind.Attribute; i++)
        {
            var attribute = _tokens[i].Name!;
            if (attribute == "xmlns" || attribute.StartsWith("xmlns:", StringComparison.Ordinal))
                continue;
            Add(NameTable.InternJoined(fieldName, attribute), section, _tokens[i].Value, false);
        }
        var hasChildren = HasChildElements(element);
        if (HasContent(element) || (!hasChildren && !HasAttributes(element)))
            AddContent(fieldName, section, element);
        if (hasChildren)
            foreach (var child in Children(element))
                Leaves(child, section, section == EvtxSection.Other ? prefix : null);
    }

    private bool HasAttributes(int element) => _tokens[element + 1].Kind == TokenKind.Attribute;

    private bool HasContent(int element)
    {
        var end = _tokens[element].Match;
        for (var i = element + 1; i < end; i++)
        {
            if (_tokens[i].Kind == TokenKind.Value)
                return true;
            if (_tokens[i].Kind == TokenKind.Start)
                i = _tokens[i].Match;
        }
        return false;
    }

    private bool HasChildElements(int element)
    {
        var end = _tokens[element].Match;
        for (var i = element + 1; i < end; i++)
            if (_tokens[i].Kind == TokenKind.Start)
                return true;
        return false;
    }

    private void AddContent(string name, EvtxSection section, int element)
    {
        _parts.Clear();
        var end = _tokens[element].Match;
        var arrayItems = false;
        for (var i = element + 1; i < end; i++)
        {
            ref readonly var token = ref _tokens[i];
            if (token.Kind == TokenKind.Value)
            {
                _parts.Add(token.Value);
                arrayItems |= token.ArrayItem;
            }
            else if (token.Kind == TokenKind.Start)
                i = token.Match;
        }
        if (_parts.Count == 0)
            Add(name, section, default, false);
        else if (_parts.Count == 1)
            Add(name, section, _parts[0], arrayItems);
        else if (arrayItems)
            foreach (var part in _parts)
                Add(name, section, part, true);
        else
            Add(name, section, Concatenate(_parts), false);
    }

    internal static EvtxValue Concatenate(List<EvtxValue> parts)
    {
        var text = new System.Text.StringBuilder();
        foreach (var part in parts)
            text.Append(part.ToString());
        return new EvtxValue(text.ToString());
    }

    private void Add(string name, EvtxSection section, EvtxValue value, bool isList)
    {
        var valueIndex = _values.Count;
        _values.Add(new PendingValue { Value = value, Next = -1 });
        // Names are interned, so equal names are the same string: merging keeps one field per name and part.
        // A span and reference comparisons: copying each pending field out of the list cost 2.6 µs per Sysmon record.
        var fields = CollectionsMarshal.AsSpan(_fields);
        for (var f = fields.Length - 1; f >= 0; f--)
        {
            ref var existing = ref fields[f];
            if (ReferenceEquals(existing.Name, name) && existing.Section == section)
            {
                CollectionsMarshal.AsSpan(_values)[existing.Last].Next = valueIndex;
                existing.Last = valueIndex;
                existing.Count++;
                existing.IsList = true;
                return;
            }
        }
        _fields.Add(new PendingField { Name = name, Section = section, IsList = isList, First = valueIndex, Last = valueIndex, Count = 1 });
    }

    private ChildEnumerable Children(int element) => new(_tokens, element);

    internal readonly struct ChildEnumerable(RenderToken[] tokens, int element)
    {
        public ChildEnumerator GetEnumerator() => new(tokens, element);
    }

    /// <summary>Enumerates the child elements of an element, skipping over their content.</summary>
    internal struct ChildEnumerator(RenderToken[] tokens, int element)
    {
        private readonly int _end = tokens[element].Match;
        private int _next = element + 1;

        public int Current { get; private set; }

        public bool MoveNext()
        {
            while (_next < _end)
            {
                var i = _next;
                if (tokens[i].Kind == TokenKind.Start)
                {
                    Current = i;
                    _next = tokens[i].Match + 1;
                    return true;
                }
                _next++;
            }
            return false;
        }
    }
}
