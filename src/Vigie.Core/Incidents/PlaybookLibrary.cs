using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.SecurityEvents;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigie.Core.Incidents;

/// <summary>
/// The playbooks Vigie ships (the YAML files of the repository's <c>playbooks/</c> folder, built into the
/// binary) and the installation's own versions of them, which replace them until reset.
/// </summary>
public sealed class PlaybookLibrary(VigieDbContext db, TimeProvider time)
{
    private const string ResourcePrefix = "Vigie.Playbooks.";
    private static readonly Lazy<IReadOnlyDictionary<string, Playbook>> ShippedPlaybooks = new(LoadShipped);

    public static IReadOnlyDictionary<string, Playbook> Shipped => ShippedPlaybooks.Value;

    public async Task<IReadOnlyList<Playbook>> ListAsync(CancellationToken ct = default)
    {
        var overrides = await db.PlaybookOverrides.AsNoTracking().ToListAsync(ct);
        var result = new Dictionary<string, Playbook>(Shipped, StringComparer.Ordinal);
        foreach (var o in overrides)
        {
            var parsed = Parse(o.Yaml, $"playbook '{o.Id}'");
            result[o.Id] = parsed with { Shipped = Shipped.ContainsKey(o.Id), Customised = true };
        }
        return result.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<Playbook?> FindAsync(string id, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(p => p.Id == id);

    /// <summary>The playbook for an incident type: the one whose <c>incident_type</c> it is (an installation's own first).</summary>
    public async Task<Playbook?> ForTypeAsync(IncidentType type, CancellationToken ct = default)
    {
        var all = await ListAsync(ct);
        return all.Where(p => p.Type == type).OrderByDescending(p => p.Customised).ThenBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>Saves an installation's version of a playbook; the YAML's <c>id</c> must be the one addressed.</summary>
    public async Task<Playbook> SaveAsync(string id, string? yaml, Actor actor, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(yaml))
            throw VigieException.Invalid("the playbook is empty: send its YAML");
        if (yaml.Length > 256 * 1024)
            throw VigieException.Invalid("the playbook exceeds 256 KiB");
        var parsed = Parse(yaml, $"playbook '{id}'");
        if (parsed.Id != id)
            throw VigieException.Invalid($"the playbook's id is '{parsed.Id}', not '{id}'");
        var row = await db.PlaybookOverrides.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (row is null)
        {
            row = new PlaybookOverride { Id = id, Yaml = yaml, UpdatedBy = actor.Name };
            db.PlaybookOverrides.Add(row);
        }
        row.Yaml = yaml;
        row.UpdatedBy = actor.Name;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return parsed with { Shipped = Shipped.ContainsKey(id), Customised = true };
    }

    /// <summary>Drops the installation's version: the shipped playbook applies again (or, for an installation's own, none).</summary>
    public async Task ResetAsync(string id, CancellationToken ct = default)
    {
        var row = await db.PlaybookOverrides.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (row is null)
            throw VigieException.NotFound(Shipped.ContainsKey(id) ? $"playbook '{id}' is not customised" : $"playbook '{id}' does not exist");
        db.PlaybookOverrides.Remove(row);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Reads a playbook; throws <see cref="VigieException"/> (invalid) naming the line and what is wrong.</summary>
    public static Playbook Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw VigieException.Invalid($"{source}: line {e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw VigieException.Invalid($"{source}: a playbook is one YAML mapping with id, title and tasks");
        string? Str(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var n) && n is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value) ? s.Value.Trim() : null;
        int Line(YamlNode node) => (int)node.Start.Line;

        var id = Str(root, "id") ?? throw VigieException.Invalid($"{source}: line {Line(root)}: 'id' is required");
        if (id.Length > 64 || !id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw VigieException.Invalid($"{source}: line {Line(root)}: id '{id}' must be lower-case letters, digits and '-' (at most 64)");
        var title = Str(root, "title") ?? throw VigieException.Invalid($"{source}: line {Line(root)}: 'title' is required");
        IncidentType? type = null;
        if (Str(root, "incident_type") is { } typeText)
        {
            if (!IncidentTypes.TryParse(typeText, out var t))
                throw VigieException.Invalid($"{source}: incident_type '{typeText}' is unknown; use one of: {string.Join(", ", IncidentTypes.All)}");
            type = t;
        }
        if (!root.Children.TryGetValue(new YamlScalarNode("tasks"), out var tasksNode) || tasksNode is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            throw VigieException.Invalid($"{source}: line {Line(root)}: 'tasks' must be a non-empty list");
        var tasks = new List<PlaybookTask>();
        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode task)
                throw VigieException.Invalid($"{source}: line {Line(item)}: each task is a mapping with phase and title");
            var phase = Str(task, "phase") ?? throw VigieException.Invalid($"{source}: line {Line(item)}: the task has no 'phase'");
            if (!IncidentTask.Phases.Contains(phase))
                throw VigieException.Invalid($"{source}: line {Line(item)}: phase '{phase}' is unknown; use one of: {string.Join(", ", IncidentTask.Phases)}");
            var taskTitle = Str(task, "title") ?? throw VigieException.Invalid($"{source}: line {Line(item)}: the task has no 'title'");
            if (taskTitle.Length > 300)
                throw VigieException.Invalid($"{source}: line {Line(item)}: the task's title exceeds 300 characters");
            tasks.Add(new PlaybookTask(phase, taskTitle, Str(task, "description")));
        }
        return new Playbook(id, title, type, Str(root, "description"), tasks, yaml);
    }

    private static IReadOnlyDictionary<string, Playbook> LoadShipped()
    {
        var assembly = typeof(PlaybookLibrary).Assembly;
        var result = new Dictionary<string, Playbook>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var playbook = Parse(reader.ReadToEnd(), name[ResourcePrefix.Length..]);
            result[playbook.Id] = playbook with { Shipped = true };
        }
        return result;
    }
}
