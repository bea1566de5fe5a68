using System.Text.Json;

namespace Vigie.Core.Alerts;

/// <summary>
/// MITRE ATT&amp;CK enterprise techniques by id, read from the technique list MITRE publishes (JSON, one object
/// per technique with <c>technique_id</c>, <c>name</c>, <c>tactics</c>). Vigie does not ship the list: the
/// operator points <c>attack_data</c> at it. Without it, alerts still carry technique ids, without names.
/// </summary>
public sealed class AttackCatalog
{
    public const string FileName = "enterprise-attack-techniques.json";

    public sealed record Technique(string Id, string Name, IReadOnlyList<string> Tactics, bool Revoked, bool Deprecated, string? Url);

    private readonly Dictionary<string, Technique> _byId;

    private AttackCatalog(Dictionary<string, Technique> byId, string? source)
    {
        _byId = byId;
        Source = source;
    }

    public static AttackCatalog Empty { get; } = new(new Dictionary<string, Technique>(StringComparer.OrdinalIgnoreCase), null);

    /// <summary>The file the techniques were read from; null when none was found.</summary>
    public string? Source { get; }

    public int Count => _byId.Count;

    public Technique? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Reads the technique list from a file, or from <see cref="FileName"/> in a folder.</summary>
    /// <exception cref="InvalidDataException">The file is missing or is not the technique list, with the file and position named.</exception>
    public static AttackCatalog Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new InvalidDataException($"ATT&CK technique list '{file}' does not exist");
        var byId = new Dictionary<string, Technique>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var stream = File.OpenRead(file);
            using var doc = JsonDocument.Parse(stream);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"ATT&CK technique list '{file}' is not a JSON array of techniques");
            var index = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("technique_id", out var id) || id.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"ATT&CK technique list '{file}': entry {index} has no technique_id and name");
                var tactics = item.TryGetProperty("tactics", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [];
                byId[id.GetString()!] = new Technique(id.GetString()!, name.GetString()!, tactics,
                    item.TryGetProperty("revoked", out var r) && r.ValueKind == JsonValueKind.True,
                    item.TryGetProperty("deprecated", out var d) && d.ValueKind == JsonValueKind.True,
                    item.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null);
                index++;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"ATT&CK technique list '{file}' is not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"ATT&CK technique list '{file}' cannot be read: {e.Message}");
        }
        return new AttackCatalog(byId, file);
    }

    /// <summary>
    /// The configured list if any (an error if it is unreadable); else the first found of <c>&lt;data&gt;/attack/</c>,
    /// and a <c>shared/data/attack</c> folder beside the working directory or beside the repository Vigie runs from;
    /// else none.
    /// </summary>
    public static AttackCatalog Discover(string? configured, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Load(configured);
        var candidates = new List<string>
        {
            Path.Combine(dataDirectory, "attack", FileName),
            Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data", "attack", FileName),
        };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigie.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data", "attack", FileName));
                break;
            }
        }
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
                return Load(Path.GetFullPath(candidate));
        }
        return Empty;
    }

    /// <summary>The technique ids named by Sigma tags (<c>attack.t1059.001</c> → <c>T1059.001</c>), in tag order, without repeats.</summary>
    public static IReadOnlyList<string> TechniqueIds(IEnumerable<string> tags)
    {
        var ids = new List<string>();
        foreach (var tag in tags)
        {
            if (!tag.StartsWith("attack.t", StringComparison.OrdinalIgnoreCase))
                continue;
            var id = tag["attack.".Length..].ToUpperInvariant();
            if (IsTechniqueId(id) && !ids.Contains(id))
                ids.Add(id);
        }
        return ids;
    }

    /// <summary>Whether the text has a technique id's shape: T and four digits, optionally a dot and three digits.</summary>
    public static bool IsTechniqueId(string id) =>
        (id.Length == 5 || (id.Length == 9 && id[5] == '.' && char.IsAsciiDigit(id[6]) && char.IsAsciiDigit(id[7]) && char.IsAsciiDigit(id[8])))
        && id[0] == 'T' && char.IsAsciiDigit(id[1]) && char.IsAsciiDigit(id[2]) && char.IsAsciiDigit(id[3]) && char.IsAsciiDigit(id[4]);
}
