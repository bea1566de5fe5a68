using Vigie.Core.Identity;

namespace Vigie.Server.Tests.Security;

/// <summary>Who a route is for, as the security review expects it.</summary>
public enum Audience
{
    /// <summary>No credentials (health, sign-in, the OpenAPI document, the FHIR capability statement).</summary>
    Public,
    /// <summary>Any user's bearer token; the handler decides (about the caller only, or the records access policy).</summary>
    SignedIn,
    /// <summary>A collector's API key only.</summary>
    Collectors,
    /// <summary>A console session cookie, with the roles listed.</summary>
    Console,
    /// <summary>A user's bearer token holding one of the roles listed.</summary>
    Roles,
}

/// <summary>
/// One route of the application and the review's verdict on it: who may call it, and how its data is kept within
/// the caller's establishments (<see cref="Scope"/>: where it is probed, or why no establishment's data is involved).
/// <see cref="Path"/> is a callable path with placeholders the tests fill in: {alert}, {incident}, {evidence},
/// {user}, {collector}, {patient}.
/// </summary>
public sealed record ReviewedRoute(string Method, string Pattern, Audience Audience, IReadOnlyList<string> Roles, string Path, string Scope)
{
    public string Name => $"{Method} {Pattern}";
}

/// <summary>Every route of Vigie, reviewed. A route added without review makes <see cref="RouteAccessTests"/> fail.</summary>
public static class ReviewedRoutes
{
    private static readonly string[] Triage = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo];
    private static readonly string[] Responders = [Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer];
    private static readonly string[] Central = [Roles.Admin, Roles.SocAnalyst];
    private static readonly string[] AdminOnly = [Roles.Admin];

    public const string Probed = "probed across establishments (CrossEstablishmentTests)";
    public const string Fhir = "decided per interaction by the records access policy (FhirScopeTests)";
    public const string Self = "about the caller only";
    public const string NoData = "carries no establishment's data";

    private static ReviewedRoute R(string method, string pattern, string[] roles, string path, string scope = Probed) =>
        new(method, pattern, Audience.Roles, roles, path, scope);

    public static IReadOnlyList<ReviewedRoute> All { get; } =
    [
        new("GET", "/healthz", Audience.Public, [], "/healthz", NoData),
        new("GET", "/readyz", Audience.Public, [], "/readyz", NoData),
        new("GET", "/openapi/{documentName}.json", Audience.Public, [], "/openapi/v1.json", NoData),
        new("POST", "/api/v1/auth/token", Audience.Public, [], "/api/v1/auth/token", "issues tokens (CredentialTests)"),
        new("GET", "/fhir/metadata", Audience.Public, [], "/fhir/metadata", NoData),

        new("GET", "/api/v1/me/", Audience.SignedIn, [], "/api/v1/me/", Self),
        new("POST", "/api/v1/me/password", Audience.SignedIn, [], "/api/v1/me/password", Self),
        new("POST", "/api/v1/me/totp", Audience.SignedIn, [], "/api/v1/me/totp", Self),
        new("POST", "/api/v1/me/totp/confirm", Audience.SignedIn, [], "/api/v1/me/totp/confirm", Self),
        new("POST", "/api/v1/me/totp/disable", Audience.SignedIn, [], "/api/v1/me/totp/disable", Self),

        R("GET", "/api/v1/establishments/", Triage, "/api/v1/establishments/"),
        R("POST", "/api/v1/establishments/", AdminOnly, "/api/v1/establishments/"),
        R("GET", "/api/v1/users/", [Roles.Admin, Roles.SecurityOfficer], "/api/v1/users/"),
        R("POST", "/api/v1/users/", AdminOnly, "/api/v1/users/"),
        R("GET", "/api/v1/users/{username}", [Roles.Admin, Roles.SecurityOfficer], "/api/v1/users/{user}"),
        R("POST", "/api/v1/users/{username}/disable", AdminOnly, "/api/v1/users/{user}/disable"),
        R("POST", "/api/v1/users/{username}/enable", AdminOnly, "/api/v1/users/{user}/enable"),
        R("POST", "/api/v1/users/{username}/reset-password", AdminOnly, "/api/v1/users/{user}/reset-password"),
        R("PUT", "/api/v1/users/{username}/roles", AdminOnly, "/api/v1/users/{user}/roles"),
        R("GET", "/api/v1/collectors/", Responders, "/api/v1/collectors/"),
        R("POST", "/api/v1/collectors/", AdminOnly, "/api/v1/collectors/"),
        R("POST", "/api/v1/collectors/{name}/revoke", AdminOnly, "/api/v1/collectors/{collector}/revoke"),
        R("GET", "/api/v1/security-events", Triage, "/api/v1/security-events"),

        new("POST", "/api/v1/ingest", Audience.Collectors, [], "/api/v1/ingest", "events take the key's establishment (CredentialTests)"),
        R("GET", "/api/v1/ingest/stats", Central, "/api/v1/ingest/stats",
            "pipeline counters of the node, not of an establishment: totals only, for the administrators and SOC analysts"),
        R("GET", "/api/v1/events", Triage, "/api/v1/events"),
        R("GET", "/api/v1/events/{id:long}", Triage, "/api/v1/events/1", "404 outside the caller's scope (DetectionTests)"),
        R("GET", "/api/v1/events/histogram", Triage, "/api/v1/events/histogram"),
        R("GET", "/api/v1/detections", Responders, "/api/v1/detections"),

        new("POST", "/fhir/", Audience.SignedIn, [], "/fhir/", Fhir),
        new("GET", "/fhir/{type}", Audience.SignedIn, [], "/fhir/Patient", Fhir),
        new("POST", "/fhir/{type}/_search", Audience.SignedIn, [], "/fhir/Patient/_search", Fhir),
        new("POST", "/fhir/{type}", Audience.SignedIn, [], "/fhir/Observation", Fhir),
        new("GET", "/fhir/{type}/{id}", Audience.SignedIn, [], "/fhir/Patient/{patient}", Fhir),
        new("PUT", "/fhir/{type}/{id}", Audience.SignedIn, [], "/fhir/Patient/{patient}", Fhir),
        new("DELETE", "/fhir/{type}/{id}", Audience.SignedIn, [], "/fhir/Patient/{patient}", Fhir),
        new("GET", "/fhir/{type}/{id}/_history", Audience.SignedIn, [], "/fhir/Patient/{patient}/_history", Fhir),
        new("GET", "/fhir/{type}/{id}/_history/{version}", Audience.SignedIn, [], "/fhir/Patient/{patient}/_history/1", Fhir),

        R("GET", "/api/v1/alerts/", Triage, "/api/v1/alerts/"),
        R("GET", "/api/v1/alerts/{id:long}", Triage, "/api/v1/alerts/{alert}"),
        R("POST", "/api/v1/alerts/{id:long}/acknowledge", Triage, "/api/v1/alerts/{alert}/acknowledge"),
        R("POST", "/api/v1/alerts/{id:long}/close", Triage, "/api/v1/alerts/{alert}/close"),
        R("POST", "/api/v1/alerts/{id:long}/reopen", Triage, "/api/v1/alerts/{alert}/reopen"),
        R("POST", "/api/v1/alerts/{id:long}/assign", Triage, "/api/v1/alerts/{alert}/assign"),
        R("POST", "/api/v1/alerts/{id:long}/comments", Triage, "/api/v1/alerts/{alert}/comments"),
        R("GET", "/api/v1/alerts/metrics", Triage, "/api/v1/alerts/metrics"),
        R("GET", "/api/v1/alerts/rules", Triage, "/api/v1/alerts/rules"),
        R("GET", "/api/v1/alerts/suppressions/", Central, "/api/v1/alerts/suppressions/", "scoped to the caller's establishments (TuningScopeTests)"),
        R("POST", "/api/v1/alerts/suppressions/", Central, "/api/v1/alerts/suppressions/", "scoped to the caller's establishments (TuningScopeTests)"),
        R("POST", "/api/v1/alerts/suppressions/{id:long}/revoke", Central, "/api/v1/alerts/suppressions/1/revoke", "scoped to the caller's establishments (TuningScopeTests)"),
        R("GET", "/api/v1/alerts/exceptions/", Central, "/api/v1/alerts/exceptions/", "national only (TuningScopeTests)"),
        R("POST", "/api/v1/alerts/exceptions/", Central, "/api/v1/alerts/exceptions/", "national only (TuningScopeTests)"),
        R("POST", "/api/v1/alerts/exceptions/{id:long}/revoke", Central, "/api/v1/alerts/exceptions/1/revoke", "national only (TuningScopeTests)"),

        R("GET", "/api/v1/incidents/", Triage, "/api/v1/incidents/"),
        R("POST", "/api/v1/incidents/", Responders, "/api/v1/incidents/"),
        R("GET", "/api/v1/incidents/metrics", Triage, "/api/v1/incidents/metrics"),
        R("GET", "/api/v1/incidents/{id:long}", Triage, "/api/v1/incidents/{incident}"),
        R("PATCH", "/api/v1/incidents/{id:long}", Responders, "/api/v1/incidents/{incident}"),
        R("POST", "/api/v1/incidents/{id:long}/contain", Responders, "/api/v1/incidents/{incident}/contain"),
        R("POST", "/api/v1/incidents/{id:long}/close", Responders, "/api/v1/incidents/{incident}/close"),
        R("POST", "/api/v1/incidents/{id:long}/reopen", Responders, "/api/v1/incidents/{incident}/reopen"),
        R("POST", "/api/v1/incidents/{id:long}/assign", Responders, "/api/v1/incidents/{incident}/assign"),
        R("POST", "/api/v1/incidents/{id:long}/alerts", Responders, "/api/v1/incidents/{incident}/alerts"),
        R("POST", "/api/v1/incidents/{id:long}/qualify", Triage, "/api/v1/incidents/{incident}/qualify"),
        R("POST", "/api/v1/incidents/{id:long}/tasks", Responders, "/api/v1/incidents/{incident}/tasks"),
        R("POST", "/api/v1/incidents/{id:long}/tasks/{taskId:long}", Responders, "/api/v1/incidents/{incident}/tasks/{task}"),
        R("POST", "/api/v1/incidents/{id:long}/observables", Responders, "/api/v1/incidents/{incident}/observables"),
        R("POST", "/api/v1/incidents/{id:long}/timeline", Responders, "/api/v1/incidents/{incident}/timeline"),
        R("POST", "/api/v1/incidents/{id:long}/comments", Triage, "/api/v1/incidents/{incident}/comments"),
        R("POST", "/api/v1/incidents/{id:long}/merge", Responders, "/api/v1/incidents/{incident}/merge"),
        R("POST", "/api/v1/incidents/{id:long}/split", Responders, "/api/v1/incidents/{incident}/split"),
        R("GET", "/api/v1/incidents/{id:long}/notifications/{regulation}", Triage, "/api/v1/incidents/{incident}/notifications/loi-05-20"),
        R("POST", "/api/v1/incidents/{id:long}/notifications/{regulation}", Triage, "/api/v1/incidents/{incident}/notifications/loi-05-20"),
        R("POST", "/api/v1/incidents/{id:long}/evidence", Responders, "/api/v1/incidents/{incident}/evidence?name=x.txt"),
        R("GET", "/api/v1/incidents/{id:long}/evidence", Responders, "/api/v1/incidents/{incident}/evidence"),
        R("GET", "/api/v1/incidents/{id:long}/evidence/{evidenceId:long}", Responders, "/api/v1/incidents/{incident}/evidence/{evidence}"),
        R("GET", "/api/v1/incidents/{id:long}/evidence/{evidenceId:long}/custody", Responders, "/api/v1/incidents/{incident}/evidence/{evidence}/custody"),
        R("POST", "/api/v1/incidents/{id:long}/evidence/{evidenceId:long}/verify", Responders, "/api/v1/incidents/{incident}/evidence/{evidence}/verify"),
        R("POST", "/api/v1/incidents/{id:long}/evidence/{evidenceId:long}/transfer", Responders, "/api/v1/incidents/{incident}/evidence/{evidence}/transfer"),

        R("GET", "/api/v1/playbooks/", Responders, "/api/v1/playbooks/", "playbooks are national procedures: no establishment's data"),
        R("GET", "/api/v1/playbooks/{id}", Responders, "/api/v1/playbooks/ransomware", "playbooks are national procedures: no establishment's data"),
        R("PUT", "/api/v1/playbooks/{id}", Central, "/api/v1/playbooks/ransomware", "playbooks are national procedures: no establishment's data"),
        R("DELETE", "/api/v1/playbooks/{id}", Central, "/api/v1/playbooks/ransomware", "playbooks are national procedures: no establishment's data"),

        R("GET", "/api/v1/privacy/users/{username}/accesses", Triage, "/api/v1/privacy/users/{user}/accesses"),
        R("POST", "/api/v1/privacy/patients/accessors", Triage, "/api/v1/privacy/patients/accessors"),
        new("POST", "/api/v1/privacy/events", Audience.Collectors, [], "/api/v1/privacy/events", "organization.id must be the key's establishment or under it (CredentialTests)"),

        new("GET", "/live", Audience.Console, [], "/live", "each message filtered by the reader's scope (ConsoleScopeTests)"),
        new("*", "", Audience.Console, [], "/", "overview counts and security events of the scope (ConsoleScopeTests)"),
        new("*", "focus", Audience.Console, [], "/focus", "a focus outside the scope is ignored (ConsoleScopeTests)"),
        new("*", "logout", Audience.Console, [], "/logout", Self),
        new("*", "admin/collectors", Audience.Console, Responders, "/admin/collectors", "ConsoleScopeTests"),
        new("*", "admin/establishments", Audience.Console, Triage, "/admin/establishments", "ConsoleScopeTests"),
        new("*", "admin/ledger", Audience.Console, [Roles.Admin, Roles.SocAnalyst, Roles.Dpo], "/admin/ledger",
            "the chain's integrity status (counts, sequence numbers, times, actions): no entry's content, no patient"),
        new("*", "alerts", Audience.Console, Triage, "/alerts", "lists, filters and bulk actions within the focus's scope (Browser ScopingTests)"),
        new("*", "alerts/{id:long}", Audience.Console, Triage, "/alerts/{alert}", "another establishment's alert answers 404, its actions too (Browser ScopingTests)"),
        new("*", "events", Audience.Console, Triage, "/events", "searches run within the focus's scope (Browser ScopingTests)"),
        new("*", "events/{id:long}", Audience.Console, Triage, "/events/1", "another establishment's event answers 404 (Browser ScopingTests)"),
        new("*", "incidents", Audience.Console, Triage, "/incidents", "lists within the focus's scope (Browser ScopingTests)"),
        new("*", "incidents/{id:long}", Audience.Console, Triage, "/incidents/{incident}", "another establishment's incident and its drafts answer 404 (Browser ScopingTests)"),
        new("*", "incidents/{id:long}/evidence", Audience.Console, Responders, "/incidents/{incident}/evidence", "incident found through the caller's incident visibility"),
        new("*", "privacy", Audience.Console, Triage, "/privacy", "investigations and privacy alerts within the focus's scope; patients pseudonymised in addresses"),
        new("*", "privacy/break-glass", Audience.Console, Triage, "/privacy/break-glass", "grants and flags within the focus's scope"),
        new("*", "rules", Audience.Console, Responders, "/rules", "rules are national; figures from the alerts of the focus's scope"),
        new("*", "rules/test", Audience.Console, Responders, "/rules/test", "tested against the stored events of the focus's scope"),
        new("*", "admin/users", Audience.Console, [Roles.Admin, Roles.SecurityOfficer], "/admin/users", "ConsoleScopeTests"),
        new("*", "denied", Audience.Public, [], "/denied", NoData),
        new("*", "language", Audience.Public, [], "/language", NoData),
        new("*", "login", Audience.Public, [], "/login", NoData),
        new("*", "login/code", Audience.Public, [], "/login/code", NoData),
    ];

    /// <summary>Fills a route's placeholders with the objects of <paramref name="side"/>.</summary>
    public static string Fill(string path, SecurityWorld.Side side) => path
        .Replace("{alert}", side.SecurityAlert.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{incident}", side.Incident.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{evidence}", side.Evidence.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{task}", "1", StringComparison.Ordinal)
        .Replace("{user}", side.Clinician, StringComparison.Ordinal)
        .Replace("{collector}", side.Collector, StringComparison.Ordinal)
        .Replace("{patient}", side.PatientId, StringComparison.Ordinal);
}
