using Vigie.Core.Establishments;
using Vigie.Core.Identity;
using Vigie.Server.Hosting;
using Vigie.Server.Identity;

namespace Vigie.Server.Api;

/// <summary>Establishments, users and collectors. Reads are scoped to the caller's establishment subtree.</summary>
internal static class AdministrationEndpoints
{
    public sealed record NewUserRequest(
        string? Username, string? Password, IReadOnlyList<string>? Roles, string? Establishment, string? Profession,
        string? DisplayName, string? PractitionerId, string? PatientId, DateTime? ExpiresAt);

    public sealed record PasswordRequest(string? Password);

    public sealed record RolesRequest(IReadOnlyList<string>? Roles);

    public sealed record NewCollectorRequest(string? Name, string? Establishment);

    public static void Map(WebApplication app)
    {
        var establishments = app.MapGroup("/api/v1/establishments").WithTags("Administration");
        establishments.MapGet("/", ListEstablishmentsAsync)
            .AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer, Roles.Dpo)
            .WithSummary("Establishments in the caller's scope, parents before children.");
        establishments.MapPost("/", AddEstablishmentAsync).AllowRoles(Roles.Admin).WithSummary("Add an establishment under a parent.");

        var users = app.MapGroup("/api/v1/users").WithTags("Administration");
        users.MapGet("/", ListUsersAsync).AllowRoles(Roles.Admin, Roles.SecurityOfficer).WithSummary("Users in the caller's scope.");
        users.MapPost("/", AddUserAsync).AllowRoles(Roles.Admin).WithSummary("Add a local user.");
        users.MapGet("/{username}", GetUserAsync).AllowRoles(Roles.Admin, Roles.SecurityOfficer).WithSummary("One user of the caller's scope.");
        users.MapPost("/{username}/disable", (string username, CurrentUser current, UserAdministration admin, EstablishmentIndex index, SessionValidator sessions, CancellationToken ct) =>
            SetDisabledAsync(username, true, current, admin, index, sessions, ct)).AllowRoles(Roles.Admin).WithSummary("Disable a user; their sessions and tokens stop working.");
        users.MapPost("/{username}/enable", (string username, CurrentUser current, UserAdministration admin, EstablishmentIndex index, SessionValidator sessions, CancellationToken ct) =>
            SetDisabledAsync(username, false, current, admin, index, sessions, ct)).AllowRoles(Roles.Admin).WithSummary("Enable a disabled user.");
        users.MapPost("/{username}/reset-password", ResetPasswordAsync).AllowRoles(Roles.Admin).WithSummary("Set a new password for a local user.");
        users.MapPut("/{username}/roles", SetRolesAsync).AllowRoles(Roles.Admin).WithSummary("Replace a user's roles.");

        var collectors = app.MapGroup("/api/v1/collectors").WithTags("Administration");
        collectors.MapGet("/", ListCollectorsAsync).AllowRoles(Roles.Admin, Roles.SocAnalyst, Roles.SecurityOfficer).WithSummary("Collectors in the caller's scope.");
        collectors.MapPost("/", AddCollectorAsync).AllowRoles(Roles.Admin).WithSummary("Add a collector; its API key is returned once.");
        collectors.MapPost("/{name}/revoke", RevokeCollectorAsync).AllowRoles(Roles.Admin).WithSummary("Revoke a collector's key.");
    }

    private static async Task<IResult> ListEstablishmentsAsync(CurrentUser current, EstablishmentRegistry registry, EstablishmentIndex index, CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        var list = await registry.ListAsync(await current.ScopeAsync(ct), ct);
        return Results.Ok(new { items = list.Select(e => EstablishmentView.From(e, all)) });
    }

    private static async Task<IResult> AddEstablishmentAsync(EstablishmentRegistry.NewEstablishment request, CurrentUser current,
        EstablishmentRegistry registry, EstablishmentIndex index, CancellationToken ct)
    {
        var scope = await current.ScopeAsync(ct);
        if (!scope.IsEverything)
        {
            var parent = request.Parent is null ? null : await registry.FindAsync(request.Parent, ct);
            if (parent is null || !scope.Contains(parent.Id))
                throw Vigie.Core.VigieException.Forbidden("you may add establishments only under an establishment of your scope");
        }
        var added = await registry.AddAsync(request, current.Actor, ct);
        return Results.Created($"/api/v1/establishments/{added.Code}", EstablishmentView.From(added, await index.GetAsync(ct)));
    }

    private static async Task<IResult> ListUsersAsync(CurrentUser current, UserAdministration admin, EstablishmentIndex index, CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        var users = await admin.ListAsync(await current.ScopeAsync(ct), ct);
        return Results.Ok(new { items = users.Select(u => UserView.From(u, all)) });
    }

    private static async Task<IResult> GetUserAsync(string username, CurrentUser current, UserAdministration admin, EstablishmentIndex index, CancellationToken ct)
    {
        var user = await admin.FindAsync(username, await current.ScopeAsync(ct), ct);
        return Results.Ok(UserView.From(user, await index.GetAsync(ct)));
    }

    private static async Task<IResult> AddUserAsync(NewUserRequest request, CurrentUser current, UserAdministration admin, EstablishmentIndex index, CancellationToken ct)
    {
        var user = await admin.AddAsync(new UserAdministration.NewUser(
            request.Username ?? "", request.Password, request.Roles ?? [], request.Establishment, request.Profession,
            request.DisplayName, request.PractitionerId, request.PatientId,
            request.ExpiresAt is { } x ? DateTime.SpecifyKind(x.ToUniversalTime(), DateTimeKind.Utc) : null),
            current.Actor, await current.ScopeAsync(ct), ct);
        return Results.Created($"/api/v1/users/{user.Username}", UserView.From(user, await index.GetAsync(ct)));
    }

    private static async Task<IResult> SetDisabledAsync(string username, bool disabled, CurrentUser current, UserAdministration admin, EstablishmentIndex index, SessionValidator sessions, CancellationToken ct)
    {
        if (disabled && string.Equals(username, current.Username, StringComparison.OrdinalIgnoreCase))
            throw Vigie.Core.VigieException.Invalid("you cannot disable your own account");
        var user = await admin.SetDisabledAsync(username, disabled, current.Actor, await current.ScopeAsync(ct), ct);
        sessions.Forget(user.Id);
        return Results.Ok(UserView.From(user, await index.GetAsync(ct)));
    }

    private static async Task<IResult> ResetPasswordAsync(string username, PasswordRequest request, CurrentUser current, UserAdministration admin, SessionValidator sessions, CancellationToken ct)
    {
        var user = await admin.ResetPasswordAsync(username, request.Password ?? "", current.Actor, await current.ScopeAsync(ct), ct);
        sessions.Forget(user.Id);
        return Results.NoContent();
    }

    private static async Task<IResult> SetRolesAsync(string username, RolesRequest request, CurrentUser current, UserAdministration admin, EstablishmentIndex index, SessionValidator sessions, CancellationToken ct)
    {
        var user = await admin.SetRolesAsync(username, request.Roles ?? [], current.Actor, await current.ScopeAsync(ct), ct);
        sessions.Forget(user.Id);
        return Results.Ok(UserView.From(user, await index.GetAsync(ct)));
    }

    private static async Task<IResult> ListCollectorsAsync(CurrentUser current, CollectorRegistry registry, EstablishmentIndex index, CancellationToken ct)
    {
        var all = await index.GetAsync(ct);
        var list = await registry.ListAsync(await current.ScopeAsync(ct), ct);
        return Results.Ok(new { items = list.Select(c => CollectorView.From(c, all)) });
    }

    private static async Task<IResult> AddCollectorAsync(NewCollectorRequest request, CurrentUser current, CollectorRegistry registry, EstablishmentIndex index, CancellationToken ct)
    {
        var issued = await registry.AddAsync(request.Name ?? "", request.Establishment ?? "", current.Actor, await current.ScopeAsync(ct), ct);
        var view = CollectorView.From(issued.Collector, await index.GetAsync(ct));
        return Results.Created($"/api/v1/collectors/{issued.Collector.Name}", new { collector = view, api_key = issued.Key });
    }

    private static async Task<IResult> RevokeCollectorAsync(string name, CurrentUser current, CollectorRegistry registry, EstablishmentIndex index, CancellationToken ct)
    {
        var collector = await registry.RevokeAsync(name, current.Actor, await current.ScopeAsync(ct), ct);
        return Results.Ok(CollectorView.From(collector, await index.GetAsync(ct)));
    }
}
