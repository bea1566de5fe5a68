using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Vigie.Core;
using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Core.Privacy;
using Vigie.Core.Time;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

/// <summary>
/// Privacy investigations and the privacy feed. DPOs, SOC analysts, security officers and administrators see
/// the accesses of their establishments' subtree. Record gateways (collectors) send record-access events.
/// </summary>
internal static class PrivacyEndpoints
{
    public const long FeedBodyLimit = 16 * 1024 * 1024;
    public const int FeedMaxEvents = 50_000;

    public sealed record PatientRequest(string? PatientId, DateTime? From, DateTime? To);

    private static readonly string[] Investigators = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];

    public static void Map(WebApplication app)
    {
        var privacy = app.MapGroup("/api/v1/privacy").WithTags("Privacy");
        privacy.MapGet("/users/{username}/accesses", UserAsync).AllowRoles(Investigators)
            .WithSummary("Every access a user made to patient records over a period (default: the last 30 days), suspicious ones scored and explained, with the user's privacy alerts.");
        privacy.MapPost("/patients/accessors", PatientAsync).AllowRoles(Investigators)
            .WithSummary("Everyone who accessed a patient's record over a period; the patient is given in the body (identifier or pseudonym), never in the URL.");
        privacy.MapPost("/events", FeedAsync).AllowCollectors()
            .WithMetadata(new RequestSizeLimitAttribute(FeedBodyLimit))
            .WithSummary("Record-access events as JSON lines (event.dataset vigie.records): privacy rules, baselines, alerts and the privacy index. A batch with a bad line is refused whole.");
    }

    private static object Item(PrivacyAccess a, string zone) => new
    {
        time = LocalTime.Format(a.Time, zone),
        user = a.UserName,
        patient = a.PatientPseudonym,
        establishment = a.Organization,
        action = a.Action,
        decision = a.Decision,
        purpose = a.Purpose,
        break_glass = a.BreakGlass,
        care_relationship = a.CareRelationship,
        source_ip = a.SourceAddress,
        risk_score = a.RiskScore,
        facts = a.Facts is null ? [] : JsonSerializer.Deserialize<List<string>>(a.Facts) ?? [],
    };

    private static async Task<string> ZoneAsync(CurrentUser current, EstablishmentIndex index, CancellationToken ct) =>
        current.EstablishmentId is { } id && (await index.GetAsync(ct)).TryGetValue(id, out var e) ? e.TimeZone : Establishment.DefaultTimeZone;

    private static async Task<IResult> UserAsync(string username, DateTime? from, DateTime? to, CurrentUser current, PrivacyInvestigation investigation,
        EstablishmentIndex index, CancellationToken ct)
    {
        var scope = await current.ScopeAsync(ct);
        var view = await investigation.UserAsync(username, from, to, scope, Vigie.Core.Alerts.AlertVisibility.For(scope, current.Roles), ct);
        var zone = await ZoneAsync(current, index, ct);
        return Results.Ok(new
        {
            user = view.User,
            from = LocalTime.Format(view.From, zone),
            to = LocalTime.Format(view.To, zone),
            accesses = view.Accesses,
            patients = view.Patients,
            suspicious = view.Suspicious,
            truncated = view.Truncated,
            alerts = view.Alerts.Select(a => new { id = a.Id, title = a.Title, severity = Vigie.Core.Alerts.AlertSeverities.ToName(a.Severity), status = Vigie.Core.Alerts.AlertStatuses.ToName(a.Status), count = a.Count, risk_score = a.RiskScore }),
            items = view.Items.Select(a => Item(a, zone)),
        });
    }

    private static async Task<IResult> PatientAsync(PatientRequest request, CurrentUser current, PrivacyInvestigation investigation, EstablishmentIndex index, CancellationToken ct)
    {
        var view = await investigation.PatientAsync(request.PatientId, request.From, request.To, await current.ScopeAsync(ct), ct);
        var zone = await ZoneAsync(current, index, ct);
        return Results.Ok(new
        {
            patient = view.Pseudonym,
            from = LocalTime.Format(view.From, zone),
            to = LocalTime.Format(view.To, zone),
            accesses = view.Accesses,
            truncated = view.Truncated,
            accessors = view.Accessors.Select(a => new { user = a.User, accesses = a.Accesses, first = LocalTime.Format(a.First, zone), last = LocalTime.Format(a.Last, zone), max_risk_score = a.MaxRisk }),
            items = view.Items.Select(a => Item(a, zone)),
        });
    }

    private static async Task<IResult> FeedAsync(HttpRequest http, CurrentUser current, PrivacyProcessor processor, EstablishmentIndex index, CancellationToken ct)
    {
        var scope = await current.ScopeAsync(ct);
        var all = await index.GetAsync(ct);
        var own = current.EstablishmentId is { } id && all.TryGetValue(id, out var e) ? e.Code : null;
        var accesses = new List<RecordAccess>();
        using var reader = new StreamReader(http.Body, Encoding.UTF8);
        var number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (accesses.Count >= FeedMaxEvents)
                throw VigieException.Invalid($"a batch holds at most {FeedMaxEvents} events");
            RecordAccess access;
            try
            {
                access = RecordAccess.Parse(line);
            }
            catch (VigieException x)
            {
                throw VigieException.Invalid($"line {number}: {x.Message}; nothing of this batch was accepted");
            }
            if (access.Field("event.dataset") is { } dataset && dataset != RecordAccess.Dataset)
                throw VigieException.Invalid($"line {number}: event.dataset is '{dataset}', not {RecordAccess.Dataset}; nothing of this batch was accepted");
            var organization = access.Organization ?? own;
            var establishment = all.Values.FirstOrDefault(x => string.Equals(x.Code, organization, StringComparison.OrdinalIgnoreCase));
            if (establishment is null || !scope.Contains(establishment.Id))
                throw VigieException.Invalid($"line {number}: organization.id '{organization}' is not this collector's establishment or under it; nothing of this batch was accepted");
            if (access.Organization is null)
                access = RecordAccess.Parse(AddOrganization(line, establishment.Code), access.EventRef);
            accesses.Add(access);
        }
        var outcome = await processor.ProcessAsync(accesses, ct);
        return Results.Ok(new { accepted = outcome.Accesses, detections = outcome.Detections, alerts_created = outcome.AlertsCreated, alerts_grouped = outcome.AlertsGrouped });
    }

    private static string AddOrganization(string line, string code)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
        node["organization.id"] = code;
        return node.ToJsonString();
    }
}
