using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Alerts;
using Vigie.Core.Data;
using Vigie.Core.Detection;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;
using Vigie.Server.WebConsole;

namespace Vigie.Server.Pages.Rules;

/// <summary>
/// The Sigma rules detection runs: searchable, in pages, each with its matches (detections in the user's scope),
/// alerts and false-positive rate; administrators and SOC analysts turn rules on and off (detection recompiles).
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Security)]
internal sealed class RulesModel(CurrentUser current, ConsoleFocus focus, RuleLibrary library, AlertTuning tuning, VigieDbContext db) : ConsolePage
{
    public const int PageSize = 50;

    public sealed record Row(DetectionRule Rule, int Matches, AlertTuning.RuleStats? Stats);

    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    /// <summary>enabled, disabled or empty for both.</summary>
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Level { get; set; }
    /// <summary>Order: matches (default), alerts, fp (false-positive rate) or title.</summary>
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public int Total { get; private set; }
    public int EnabledCount { get; private set; }
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public bool CanTune => current.IsInRole(Vigie.Core.Identity.Roles.Admin) || current.IsInRole(Vigie.Core.Identity.Roles.SocAnalyst);

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken ct) => SetAsync(id, true, ct);

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken ct) => SetAsync(id, false, ct);

    private async Task<IActionResult> SetAsync(string id, bool enabled, CancellationToken ct)
    {
        if (!CanTune)
            return Forbid();
        if (await TryAsync(async () => await library.SetEnabledAsync(id, enabled, ct)))
            Notice = $"{T(enabled ? "Rule enabled" : "Rule disabled")}{Colon}{id}";
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        var scope = await focus.ScopeAsync(ct);
        bool? enabled = State switch { "enabled" => true, "disabled" => false, _ => null };
        var rules = await library.ListAsync(enabled, string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(), ct);
        if (!string.IsNullOrEmpty(Level))
            rules = rules.Where(r => r.Level == Level).ToList();
        EnabledCount = rules.Count(r => r.Enabled);
        Total = rules.Count;

        var detections = db.Detections.AsNoTracking();
        if (ConsoleLookups.Ids(scope) is { } ids)
            detections = detections.Where(d => ids.Contains(d.EstablishmentId));
        var matches = await detections.GroupBy(d => d.RuleId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, StringComparer.Ordinal, ct);
        var stats = (await tuning.RuleStatsAsync(AlertVisibility.For(scope, current.Roles), ct)).ToDictionary(s => s.RuleId, StringComparer.Ordinal);
        var rows = rules.Select(r => new Row(r, matches.GetValueOrDefault(r.Id), stats.GetValueOrDefault(r.Id)));
        rows = Sort switch
        {
            "title" => rows.OrderBy(r => r.Rule.Title, StringComparer.OrdinalIgnoreCase),
            "alerts" => rows.OrderByDescending(r => r.Stats?.Alerts ?? 0).ThenBy(r => r.Rule.Title, StringComparer.OrdinalIgnoreCase),
            "fp" => rows.OrderByDescending(r => r.Stats?.FalsePositiveRate ?? -1).ThenByDescending(r => r.Stats?.Closed ?? 0),
            _ => rows.OrderByDescending(r => r.Matches).ThenBy(r => r.Rule.Title, StringComparer.OrdinalIgnoreCase),
        };
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        Items = rows.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
    }

    public string Link(int page, string? sort = null)
    {
        var q = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
                q.Add(name + "=" + Uri.EscapeDataString(value));
        }
        Add("search", Search);
        Add("state", State);
        Add("level", Level);
        Add("sort", sort ?? Sort);
        if (page > 1)
            q.Add("p=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return q.Count == 0 ? "/rules" : "/rules?" + string.Join('&', q);
    }

    public string Action => Link(PageNumber);

    public static string Rate(double? rate) => rate is { } r ? $"{r * 100:0.#} %" : "—";
}
