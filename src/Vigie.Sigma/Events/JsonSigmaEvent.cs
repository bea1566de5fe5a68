using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Vigie.Sigma.Events;

/// <summary>
/// A JSON event: flat objects (<c>{"Image": …}</c>), nested ECS objects addressed by dotted names
/// (<c>process.command_line</c> finds a literal key of that name or the nested path), and Windows events
/// as EVTX renders them to JSON (<c>{"Event": {"System": …, "EventData": …}}</c>), whose
/// <c>EventData</c>, <c>UserData</c> and <c>System</c> fields are found by their plain names
/// (<c>Image</c>, <c>EventID</c>, <c>Channel</c>, <c>Provider_Name</c>, <c>TimeCreated</c>).
/// </summary>
public sealed class JsonSigmaEvent : ISigmaEvent, ITextValueSource
{
    private readonly JsonElement _root;
    private bool _isWindows;
    private JsonElement _system;
    private JsonElement _eventData;
    private JsonElement _userData;
    private bool _eventDataDecoded;
    private FieldIndex? _index;

    /// <summary>Wraps a parsed JSON value; the element must stay valid (its document undisposed) while the event is used.</summary>
    /// <remarks>
    /// Nothing is read here: whether the event is a Windows rendering is found while its fields are first indexed,
    /// in the same walk over the top level. Asking for <c>Event</c>, <c>System</c>, <c>EventData</c> and
    /// <c>UserData</c> by name up front (each a walk over an object's properties) was 6 % of evaluating the JSON
    /// event mix, most of it spent on flat events that have none of them.
    /// </remarks>
    public JsonSigmaEvent(JsonElement root)
    {
        _root = root;
    }

    /// <summary>Takes <paramref name="ev"/> (the value of a top-level <c>Event</c>) as a Windows rendering when it holds a <c>System</c> object.</summary>
    private bool TryTakeWindowsShape(JsonElement ev)
    {
        if (!ev.TryGetProperty("System"u8, out var system) || system.ValueKind != JsonValueKind.Object)
            return false;
        _isWindows = true;
        _system = system;
        if (ev.TryGetProperty("EventData"u8, out var data) && data.ValueKind == JsonValueKind.Object)
            _eventData = data;
        if (ev.TryGetProperty("UserData"u8, out var user) && user.ValueKind == JsonValueKind.Object)
        {
            // UserData holds one element named after the event's template; its children are the fields.
            foreach (var child in user.EnumerateObject())
            {
                if (child.Value.ValueKind == JsonValueKind.Object)
                    _userData = child.Value;
                break;
            }
        }
        return true;
    }

    /// <summary>The field index, built on first use; building it also finds the event's shape (Windows rendering or flat).</summary>
    private FieldIndex Index => _index ??= BuildIndex();

    /// <summary>The wrapped JSON value.</summary>
    public JsonElement Root => _root;

    /// <inheritdoc />
    public bool TryGetField(string name, out SigmaFieldValue value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_root.ValueKind != JsonValueKind.Object)
        {
            value = default;
            return false;
        }
        // Rules ask for dozens of fields an event does not have; a hash look-up answers a miss in
        // nanoseconds where walking the objects took ~0.5 µs (measured: 40 µs per Security 4688 event).
        if (Index.TryGet(name, out var element))
        {
            value = Convert(element);
            return true;
        }
        if (_isWindows && TryGetWindowsAttribute(name, out value))
            return true;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            if (TryGetPath(_root, name, out element)
                || (!_isWindows && TryGetDecodedEventData(out var data) && TryGetPath(data, name, out element)))
            {
                value = Convert(element);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Every field reachable by a plain name: EventData, UserData and System of an EVTX event, or the top level of a flat one.</summary>
    private FieldIndex BuildIndex()
    {
        var index = new FieldIndex();
        if (_root.ValueKind != JsonValueKind.Object)
            return index;
        foreach (var property in _root.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object
                && JsonMarshal.GetRawUtf8PropertyName(property).SequenceEqual("Event"u8)
                && TryTakeWindowsShape(property.Value))
            {
                index.Clear();
                break;
            }
            index.Add(property);
        }
        if (_isWindows)
        {
            if (_eventData.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in _eventData.EnumerateObject())
                    index.Add(property);
                // Unflattened rendering: "Data": [{"#attributes": {"Name": "Image"}, "#text": "…"}, …].
                if (_eventData.TryGetProperty("Data"u8, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object
                            && item.TryGetProperty("#attributes"u8, out var attributes) && attributes.ValueKind == JsonValueKind.Object
                            && attributes.TryGetProperty("Name"u8, out var n) && n.ValueKind == JsonValueKind.String)
                            index.AddNamed(n.GetString()!, item.TryGetProperty("#text"u8, out var text) ? text : default);
                    }
                }
            }
            if (_userData.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in _userData.EnumerateObject())
                    index.Add(property);
            }
            foreach (var property in _system.EnumerateObject())
                index.Add(property);
        }
        else
        {
            if (TryGetDecodedEventData(out var data))
            {
                foreach (var property in data.EnumerateObject())
                    index.Add(property);
            }
        }
        return index;
    }

    /// <summary>
    /// A per-event open-addressing table over the properties' raw UTF-8 names, hashed without decoding them.
    /// Rules ask for dozens of fields an event does not have: walking the objects cost ~0.5 µs per miss
    /// (40 µs per Security 4688 event), a string-keyed dictionary ~2.4 µs to build per event; this table
    /// builds in a fraction of that and answers a miss with one hash and a probe or two.
    /// </summary>
    private sealed class FieldIndex
    {
        private const int Capacity = 128;
        private readonly JsonProperty[] _properties = new JsonProperty[Capacity / 2];
        private readonly byte[] _slots = new byte[Capacity]; // property position + 1; 0 = empty
        private readonly bool[] _stripped = new bool[Capacity / 2];
        private int _count;
        private List<(string Name, JsonElement Value)>? _named;

        public void Add(JsonProperty property)
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.Length == 0)
            {
                AddNamed(property.Name, property.Value);
                return;
            }
            // The usual case (printable ASCII, no escape, no space) answered in one pass, a table look-up per
            // byte: three vectorised calls per name (ASCII, backslash, space) were 6 % of evaluating the JSON
            // event mix, one SearchValues call 4.7 %, this loop 2.5–5 % (names are short; the profiles vary).
            if (IsSimpleName(raw))
            {
                Insert(property, Hash(raw), stripped: false);
                return;
            }
            if (!IsPlainName(raw))
            {
                AddNamed(property.Name, property.Value);
                return;
            }
            Insert(property, Hash(raw), stripped: false);
            // Some providers (Windows Defender) name their data with spaces ("Threat Name"); rules write
            // the name without them (ThreatName), as Windows event tooling presents it.
            if (raw.Contains((byte)' ') && raw.Length <= 128)
            {
                Span<byte> stripped = stackalloc byte[raw.Length];
                var length = 0;
                foreach (var b in raw)
                {
                    if (b != (byte)' ')
                        stripped[length++] = b;
                }
                if (length > 0)
                    Insert(property, Hash(stripped[..length]), stripped: true);
            }
        }

        /// <summary>ASCII without escapes: bytes and characters are the same code units.</summary>
        private static bool IsPlainName(ReadOnlySpan<byte> raw) => System.Text.Ascii.IsValid(raw) && !raw.Contains((byte)'\\');

        private static bool IsSimpleName(ReadOnlySpan<byte> raw)
        {
            var table = SimpleNameBytes;
            foreach (var b in raw)
            {
                if (table[b] == 0)
                    return false;
            }
            return true;
        }

        /// <summary>1 for printable ASCII but the backslash (escapes) and the space (names stripped of spaces).</summary>
        private static ReadOnlySpan<byte> SimpleNameBytes => [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0];

        public void Clear()
        {
            Array.Clear(_slots);
            _count = 0;
            _named = null;
        }

        public void AddNamed(string name, JsonElement value) => (_named ??= []).Add((name, value));

        private void Insert(JsonProperty property, uint hash, bool stripped)
        {
            if (_count == _properties.Length)
            {
                AddNamed(stripped ? property.Name.Replace(" ", "", StringComparison.Ordinal) : property.Name, property.Value);
                return;
            }
            _properties[_count] = property;
            _stripped[_count] = stripped;
            var slot = (int)(hash & (Capacity - 1));
            while (_slots[slot] != 0)
                slot = (slot + 1) & (Capacity - 1);
            _slots[slot] = (byte)(++_count);
        }

        public bool TryGet(string name, out JsonElement value)
        {
            var slot = (int)(Hash(name) & (Capacity - 1));
            for (var entry = _slots[slot]; entry != 0; slot = (slot + 1) & (Capacity - 1), entry = _slots[slot])
            {
                var property = _properties[entry - 1];
                if (_stripped[entry - 1]
                    ? string.Equals(property.Name.Replace(" ", "", StringComparison.Ordinal), name, StringComparison.Ordinal)
                    : property.NameEquals(name))
                {
                    value = property.Value;
                    return true;
                }
            }
            if (_named is not null)
            {
                foreach (var (n, v) in _named)
                {
                    if (string.Equals(n, name, StringComparison.Ordinal))
                    {
                        value = v;
                        return true;
                    }
                }
            }
            value = default;
            return false;
        }

        // The length and four characters, read alike from a name's ASCII bytes (in Add) and from its UTF-16
        // characters (in TryGet). Hashing every character cost ~10 % of the evaluation (index built per
        // event, a hash per look-up); collisions cost only a name comparison.
        private static uint Hash(ReadOnlySpan<byte> raw) =>
            Mix(raw.Length, raw[0], raw[Math.Min(1, raw.Length - 1)], raw[raw.Length / 2], raw[^1]);

        private static uint Hash(string name) => name.Length == 0 ? 0
            : Mix(name.Length, name[0], name[Math.Min(1, name.Length - 1)], name[name.Length / 2], name[^1]);

        private static uint Mix(int length, uint first, uint second, uint middle, uint last) =>
            ((uint)length * 0x9E3779B1u) ^ (first * 0x85EBCA77u) ^ ((second * 0xC2B2AE3Du) >> 3) ^ (middle * 0x27D4EB2Fu) ^ ((last * 0x165667B1u) >> 7);
    }

    private bool TryGetWindowsAttribute(string name, out SigmaFieldValue value)
    {
        // System attributes: Provider_Name, Execution_ProcessID, Security_UserID, TimeCreated_SystemTime, and
        // the short names that tools commonly use for them.
        switch (name)
        {
            case "ProcessID" or "ThreadID":
                return TryGetAttribute("Execution", name, out value);
            case "UserID" or "SecurityUserID":
                return TryGetAttribute("Security", "UserID", out value);
            case "SystemTime":
                return TryGetAttribute("TimeCreated", "SystemTime", out value);
            case "EventRecordId" or "RecordID":
                return TryGetSystem("EventRecordID", out value);
            case "Provider":
                return TryGetAttribute("Provider", "Name", out value);
        }
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        if (underscore > 0 && underscore < name.Length - 1)
            return TryGetAttribute(name[..underscore], name[(underscore + 1)..], out value);
        value = default;
        return false;
    }

    /// <inheritdoc />
    public void CollectValues(List<SigmaFieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _ = Index;
        Collect(_root, values);
        if (!_isWindows && TryGetDecodedEventData(out var data))
            Collect(data, values);
    }

    bool ITextValueSource.TryGetRawJson(out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        _ = Index;
        if (!_isWindows && TryGetDecodedEventData(out _))
            return false;
        var raw = JsonMarshal.GetRawUtf8Value(_root);
        // Escapes other than \u and \/ map one-to-one onto the escaped literals searched; "\\users" is an
        // escaped backslash followed by "users", so escapes are walked pair by pair.
        if (raw.IndexOf("\\u"u8) < 0 && raw.IndexOf("\\/"u8) < 0)
        {
            utf8 = raw;
            return true;
        }
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length;)
        {
            if (raw[i + 1] is (byte)'u' or (byte)'/')
                return false;
            var next = raw[(i + 2)..].IndexOf((byte)'\\');
            i = next < 0 ? -1 : i + 2 + next;
        }
        utf8 = raw;
        return true;
    }

    void ITextValueSource.VisitText<TVisitor>(ref TVisitor visitor)
    {
        // Keyword searches read every value of every event: decoding them into strings cost ~40 allocations
        // per Windows event. Values are unescaped from the raw UTF-8 into one reused buffer instead.
        _ = Index;
        var buffer = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            Visit(_root, ref visitor, ref buffer);
            if (!_isWindows && TryGetDecodedEventData(out var data))
                Visit(data, ref visitor, ref buffer);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static void Visit<TVisitor>(JsonElement e, ref TVisitor visitor, ref char[] buffer) where TVisitor : struct, ITextVisitor, allows ref struct
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    Visit(p.Value, ref visitor, ref buffer);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    Visit(item, ref visitor, ref buffer);
                break;
            case JsonValueKind.String:
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                var raw = JsonMarshal.GetRawUtf8Value(e);
                if (e.ValueKind == JsonValueKind.String && raw.Length >= 2)
                    raw = raw[1..^1];
                if (buffer.Length < raw.Length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(raw.Length);
                }
                visitor.Visit(buffer.AsSpan(0, Unescape(raw, buffer)));
                break;
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
            default:
                break;
        }
    }

    /// <summary>JSON string escapes decoded from raw UTF-8 into UTF-16; returns the length written.</summary>
    internal static int Unescape(ReadOnlySpan<byte> raw, Span<char> output)
    {
        var written = 0;
        while (raw.Length > 0)
        {
            var slash = raw.IndexOf((byte)'\\');
            var run = slash < 0 ? raw : raw[..slash];
            written += Encoding.UTF8.GetChars(run, output[written..]);
            if (slash < 0 || slash + 1 >= raw.Length)
                break;
            var escape = raw[slash + 1];
            var consumed = 2;
            switch (escape)
            {
                case (byte)'n': output[written++] = '\n'; break;
                case (byte)'r': output[written++] = '\r'; break;
                case (byte)'t': output[written++] = '\t'; break;
                case (byte)'b': output[written++] = '\b'; break;
                case (byte)'f': output[written++] = '\f'; break;
                case (byte)'u' when slash + 6 <= raw.Length
                    && ushort.TryParse(raw.Slice(slash + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code):
                    output[written++] = (char)code;
                    consumed = 6;
                    break;
                default: output[written++] = (char)escape; break;
            }
            raw = raw[(slash + consumed)..];
        }
        return written;
    }

    private bool TryGetDecodedEventData(out JsonElement data)
    {
        if (!_eventDataDecoded)
        {
            _eventDataDecoded = true;
            if (_root.TryGetProperty("EventData"u8, out var raw) && raw.ValueKind == JsonValueKind.String)
            {
                var text = raw.GetString();
                if (text is { Length: > 1 } && text[0] == '{')
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(text);
                        _eventData = doc.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        // Not JSON after all: the string stays an ordinary field value.
                    }
                }
            }
        }
        data = _eventData;
        return data.ValueKind == JsonValueKind.Object;
    }

    private bool TryGetSystem(string name, out SigmaFieldValue value)
    {
        if (_system.TryGetProperty(name, out var s))
        {
            value = Convert(s);
            return true;
        }
        value = default;
        return false;
    }

    private bool TryGetAttribute(string element, string attribute, out SigmaFieldValue value)
    {
        if (_system.TryGetProperty(element, out var e) && e.ValueKind == JsonValueKind.Object
            && e.TryGetProperty("#attributes"u8, out var attributes) && attributes.ValueKind == JsonValueKind.Object
            && attributes.TryGetProperty(attribute, out var a))
        {
            value = Convert(a);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>A literal key first, then each split of the dotted name into a key and a nested remainder.</summary>
    private static bool TryGetPath(JsonElement obj, string name, out JsonElement element)
    {
        return TryGetPath(obj, name.AsSpan(), name, out element);
    }

    private static bool TryGetPath(JsonElement obj, ReadOnlySpan<char> name, string? whole, out JsonElement element)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            element = default;
            return false;
        }
        if (whole is not null ? obj.TryGetProperty(whole, out element) : obj.TryGetProperty(name, out element))
            return true;
        for (var dot = name.IndexOf('.'); dot > 0; dot = NextDot(name, dot))
        {
            if (obj.TryGetProperty(name[..dot], out var child) && TryGetPath(child, name[(dot + 1)..], null, out element))
                return true;
        }
        element = default;
        return false;

        static int NextDot(ReadOnlySpan<char> name, int previous)
        {
            var next = name[(previous + 1)..].IndexOf('.');
            return next < 0 ? -1 : previous + 1 + next;
        }
    }

    private static SigmaFieldValue Convert(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return SigmaFieldValue.FromString(e.GetString()!);
            case JsonValueKind.Number:
                return SigmaFieldValue.FromNumber(e.TryGetDouble(out var d) ? d : double.NaN, e.GetRawText());
            case JsonValueKind.True:
                return SigmaFieldValue.FromBoolean(true);
            case JsonValueKind.False:
                return SigmaFieldValue.FromBoolean(false);
            case JsonValueKind.Array:
                var items = new List<SigmaFieldValue>(e.GetArrayLength());
                foreach (var item in e.EnumerateArray())
                    items.Add(Convert(item));
                return SigmaFieldValue.FromList(items);
            case JsonValueKind.Object:
                // EVTX renders an element with attributes as {"#attributes": …, "#text": value}.
                if (e.TryGetProperty("#text"u8, out var text))
                    return Convert(text);
                return SigmaFieldValue.FromObject(e.GetRawText());
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
            default:
                return SigmaFieldValue.Null;
        }
    }

    private static void Collect(JsonElement e, List<SigmaFieldValue> values)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    Collect(p.Value, values);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    Collect(item, values);
                break;
            case JsonValueKind.String:
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                values.Add(Convert(e));
                break;
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
            default:
                break;
        }
    }
}
