using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigie.Core;
using Vigie.Core.Data;
using Vigie.Core.Detection;
using Vigie.Core.Events;
using Vigie.Server.Api;
using Vigie.Server.Hosting;
using Vigie.Server.Ingestion;
using Vigie.Server.WebConsole;
using Vigie.Sigma;
using Vigie.Sigma.Correlation;

namespace Vigie.Server.Pages.Rules;

/// <summary>
/// Tests a Sigma rule (a stored one, or YAML typed or edited here) against the events already stored in the user's
/// scope over a period, with the same compilation and field mapping as detection on the stream, and shows what it
/// would have matched. Nothing is saved: the rule is not imported, no detection or alert is made.
/// </summary>
[Authorize(AuthenticationSchemes = VigieApp.ConsoleScheme, Roles = ConsoleRoles.Security)]
internal sealed class RuleTestModel(ConsoleFocus focus, IEventStore events, EstablishmentIndex index, VigieDbContext db) : ConsolePage
{
    /// <summary>How many of the newest events of the period a test reads at most, so a test stays a few seconds long.</summary>
    public const int MaxScanned = 20_000;
    public const int MaxShown = 50;

    public sealed record Match(StoredEvent Event, string? Establishment, string Rule, string Summary);

    [BindProperty(SupportsGet = true)] public string? Id { get; set; }
    [BindProperty] public string? Yaml { get; set; }
    [BindProperty] public string? From { get; set; } = "now-24h";
    [BindProperty] public string? To { get; set; }
    [BindProperty] public string? Q { get; set; }

    public DetectionRule? Stored { get; private set; }
    public bool Ran { get; private set; }
    public int Scanned { get; private set; }
    public int Matched { get; private set; }
    public int CorrelationsFired { get; private set; }
    public bool Truncated { get; private set; }
    public long Milliseconds { get; private set; }
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public IReadOnlyList<Match> Matches { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        if (!string.IsNullOrEmpty(Id))
        {
            Stored = await db.DetectionRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == Id, ct);
            if (Stored is null)
            {
                Problem = $"rule '{Id}' is not in the store";
                Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            Yaml = Stored.Yaml;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Zone = await focus.TimeZoneAsync(ct);
        if (!string.IsNullOrEmpty(Id))
            Stored = await db.DetectionRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == Id, ct);
        var scope = await focus.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        await TryAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(Yaml))
                throw VigieException.Invalid("paste a Sigma rule (YAML) to test");
            var set = SigmaRuleSet.FromYaml(Yaml, "<console>");
            Errors = set.Errors.Select(e => e.ToString()).ToList();
            if (set.Rules.Count == 0)
                throw VigieException.Invalid(Errors.Count > 0 ? $"the rule does not load: {string.Join("; ", Errors)}" : "the text holds no Sigma rule");
            var engine = StreamDetector.Compile(set); // exactly as the stream would run it
            var evaluator = engine.CreateEvaluator();
            var query = EventSearchEndpoints.ParseQuery(Q);
            var start = EventSearchEndpoints.ParseTime("from", string.IsNullOrWhiteSpace(From) ? "now-24h" : From)!.Value;
            var end = EventSearchEndpoints.ParseTime("to", To) ?? DateTime.UtcNow;
            if (start >= end)
                throw VigieException.Invalid("'from' must be before 'to'");
            Ran = true;
            var clock = Stopwatch.StartNew();
            var found = new List<(StoredEvent Event, EventDocument Document, SigmaRule Rule)>();
            var matched = new List<SigmaRule>();
            EventCursor? cursor = null;
            do
            {
                var page = await events.SearchAsync(new EventSearch(query, start, end, scope, 1000, cursor), ct);
                foreach (var e in page.Events)
                {
                    Scanned++;
                    EventDocument document;
                    try
                    {
                        document = EventDocument.Parse(e.Json);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        continue;
                    }
                    matched.Clear();
                    if (evaluator.Evaluate(document, matched) == 0)
                        continue;
                    foreach (var rule in matched)
                        found.Add((e, document, rule));
                }
                cursor = page.Next;
                Truncated = cursor is not null && Scanned >= MaxScanned;
            }
            while (cursor is not null && Scanned < MaxScanned);

            // Correlations see the base rules' matches in time order, per establishment, as on the stream.
            if (set.Correlations.Count > 0)
            {
                var fired = new List<SigmaCorrelationMatch>();
                foreach (var group in found.GroupBy(f => f.Event.EstablishmentId))
                {
                    var correlator = new SigmaCorrelator(set);
                    foreach (var (e, document, rule) in group.OrderBy(f => f.Event.Timestamp).ThenBy(f => f.Event.Id))
                        correlator.Process(rule, document, e.Timestamp, fired);
                }
                CorrelationsFired = fired.Count;
            }
            var shown = found.Where(f => !engine.IsCorrelationOnly(f.Rule)).ToList();
            Matched = shown.Select(f => f.Event.Id).Distinct().Count();
            Matches = shown.Take(MaxShown).Select(f => new Match(f.Event, ConsoleLookups.Code(f.Event.EstablishmentId, all), f.Rule.Title, Summary(f.Document))).ToList();
            Milliseconds = clock.ElapsedMilliseconds;
        });
        return Page();
    }

    private static string Summary(EventDocument document)
    {
        var parts = new List<string>();
        foreach (var name in new[] { "event.action", "host.name", "user.name", "source.ip", "process.command_line", "CommandLine", "message" })
        {
            if (document.TryGetField(name, out var value) && value.Text is { Length: > 0 } text)
                parts.Add($"{name}={(text.Length > 100 ? text[..99] + "…" : text)}");
            if (parts.Count == 4)
                break;
        }
        return string.Join("  ", parts);
    }
}
