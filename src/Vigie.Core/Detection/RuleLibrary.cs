using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Sigma;

namespace Vigie.Core.Detection;

/// <summary>The Sigma rules kept in the store: import (text kept, enabled by default), list, enable, disable.</summary>
public sealed class RuleLibrary(VigieDbContext db)
{
    public sealed record ImportResult(int Added, int Updated, int Unchanged, IReadOnlyList<SigmaLoadError> Rejected);

    /// <summary>Loads every rule, correlation and filter under the paths and upserts it by id; an updated rule keeps its enabled flag.</summary>
    public async Task<ImportResult> ImportAsync(IEnumerable<string> paths, CancellationToken ct = default)
    {
        var set = SigmaRuleSet.Load(paths);
        var items = new List<(string? Id, string? Name, string Title, string Kind, SigmaLevel Level, SigmaStatus Status, string Logsource, IReadOnlyList<string> Tags, SigmaRuleSource Source)>();
        foreach (var r in set.Rules)
            items.Add((r.Id, r.Name, r.Title, "rule", r.Level, r.Status, r.Logsource.ToString(), r.Tags, r.Source));
        foreach (var c in set.Correlations)
            items.Add((c.Id, c.Name, c.Title, "correlation", c.Level, c.Status, "", c.Tags, c.Source));
        foreach (var f in set.Filters)
            items.Add((f.Id, f.Name, f.Title, "filter", SigmaLevel.None, SigmaStatus.Experimental, f.Logsource?.ToString() ?? "", [], f.Source));

        var existing = await db.DetectionRules.ToDictionaryAsync(r => r.Id, StringComparer.Ordinal, ct);
        var documents = new Dictionary<string, List<(int Line, string Text)>>(StringComparer.Ordinal);
        int added = 0, updated = 0, unchanged = 0;
        var now = DateTime.UtcNow;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!documents.TryGetValue(item.Source.Path, out var docs))
                documents[item.Source.Path] = docs = SplitDocuments(await File.ReadAllTextAsync(item.Source.Path, ct));
            var yaml = docs.LastOrDefault(d => d.Line <= item.Source.Line).Text ?? docs[0].Text;
            var id = item.Id ?? item.Name ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..32];
            if (!seen.Add(id))
                continue;
            var level = item.Level == SigmaLevel.None ? "informational" : item.Level.ToString().ToLowerInvariant();
            var tags = string.Join(' ', item.Tags);
            if (existing.TryGetValue(id, out var rule))
            {
                if (rule.Yaml == yaml)
                {
                    unchanged++;
                    continue;
                }
                rule.Yaml = yaml;
                rule.Title = item.Title;
                rule.Kind = item.Kind;
                rule.Level = level;
                rule.Status = item.Status.ToString().ToLowerInvariant();
                rule.Logsource = item.Logsource;
                rule.Tags = tags;
                rule.SourcePath = item.Source.Path;
                rule.UpdatedAt = now;
                updated++;
            }
            else
            {
                db.DetectionRules.Add(new DetectionRule
                {
                    Id = id,
                    Title = item.Title,
                    Kind = item.Kind,
                    Level = level,
                    Status = item.Status.ToString().ToLowerInvariant(),
                    Logsource = item.Logsource,
                    Tags = tags,
                    Yaml = yaml,
                    SourcePath = item.Source.Path,
                    // Deprecated and unsupported rules are kept for reference, not run.
                    Enabled = item.Status is not (SigmaStatus.Deprecated or SigmaStatus.Unsupported),
                    ImportedAt = now,
                    UpdatedAt = now,
                });
                added++;
            }
        }
        await db.SaveChangesAsync(ct);
        return new ImportResult(added, updated, unchanged, set.Errors);
    }

    /// <summary>The YAML documents of a file with the line each starts on (a <c>---</c> line separates them).</summary>
    public static List<(int Line, string Text)> SplitDocuments(string text)
    {
        var result = new List<(int, string)>();
        var lines = text.Split('\n');
        var start = 0;
        var sb = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd('\r') == "---")
            {
                if (sb.ToString().Trim().Length > 0)
                    result.Add((start + 1, sb.ToString()));
                sb.Clear();
                start = i + 1;
                continue;
            }
            sb.Append(lines[i]).Append('\n');
        }
        if (sb.ToString().Trim().Length > 0)
            result.Add((start + 1, sb.ToString()));
        if (result.Count == 0)
            result.Add((1, text));
        return result;
    }

    public async Task<IReadOnlyList<DetectionRule>> ListAsync(bool? enabled = null, string? search = null, CancellationToken ct = default)
    {
        var query = db.DetectionRules.AsNoTracking();
        if (enabled is { } e)
            query = query.Where(r => r.Enabled == e);
        var list = await query.OrderBy(r => r.Title).ToListAsync(ct);
        if (!string.IsNullOrWhiteSpace(search))
            list = list.Where(r => r.Title.Contains(search, StringComparison.OrdinalIgnoreCase) || r.Id.Contains(search, StringComparison.OrdinalIgnoreCase)
                || r.Logsource.Contains(search, StringComparison.OrdinalIgnoreCase) || r.Tags.Contains(search, StringComparison.OrdinalIgnoreCase)).ToList();
        return list;
    }

    public async Task<DetectionRule> SetEnabledAsync(string id, bool enabled, CancellationToken ct = default)
    {
        var rule = await db.DetectionRules.SingleOrDefaultAsync(r => r.Id == id, ct)
            ?? throw VigieException.NotFound($"rule '{id}' is not in the store (vigie rules list shows the rules)");
        if (rule.Enabled != enabled)
        {
            rule.Enabled = enabled;
            rule.UpdatedAt = DateTime.UtcNow;
            await db.SaveChangesAsync(ct);
        }
        return rule;
    }

    /// <summary>What detection runs: the enabled documents, and a stamp that changes whenever that set does.</summary>
    public async Task<(string Stamp, IReadOnlyList<DetectionRule> Rules)> EnabledAsync(CancellationToken ct = default)
    {
        var rules = await db.DetectionRules.AsNoTracking().Where(r => r.Enabled).ToListAsync(ct);
        return (await StampAsync(ct), rules);
    }

    public async Task<string> StampAsync(CancellationToken ct = default)
    {
        var count = await db.DetectionRules.CountAsync(r => r.Enabled, ct);
        var total = await db.DetectionRules.CountAsync(ct);
        var newest = total == 0 ? DateTime.MinValue : await db.DetectionRules.MaxAsync(r => r.UpdatedAt, ct);
        return $"{count}/{total}/{newest.Ticks}";
    }
}
