using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Api;

public sealed class AdministrationTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task An_administrator_builds_the_hierarchy_and_bad_requests_are_refused_with_reasons(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        using var admin = await host.SignedInAsync("admin");

        var created = await admin.PostAsJsonAsync("/api/v1/establishments", new { code = "clin-a", name = "Clinique A", type = "clinic", parent = "REG-A" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var view = await created.ReadAsync();
        view.GetProperty("code").GetString().ShouldBe("CLIN-A");
        view.GetProperty("parent").GetString().ShouldBe("REG-A");
        view.GetProperty("time_zone").GetString().ShouldBe("Africa/Casablanca");

        async Task<string> Refused(object body, HttpStatusCode status)
        {
            var response = await admin.PostAsJsonAsync("/api/v1/establishments", body);
            response.StatusCode.ShouldBe(status);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            return (await response.ReadAsync()).GetProperty("detail").GetString()!;
        }

        (await Refused(new { code = "CLIN-A", name = "Again", type = "clinic", parent = "REG-A" }, HttpStatusCode.Conflict)).ShouldContain("already exists");
        (await Refused(new { code = "X1", name = "Bad", type = "castle", parent = "REG-A" }, HttpStatusCode.BadRequest)).ShouldContain("castle");
        (await Refused(new { code = "X2", name = "Orphan", type = "hospital" }, HttpStatusCode.BadRequest)).ShouldContain("parent");
        (await Refused(new { code = "X3", name = "Nested", type = "hospital", parent = "CHU-A" }, HttpStatusCode.BadRequest)).ShouldContain("region");
        (await Refused(new { code = "NAT2", name = "Second", type = "national" }, HttpStatusCode.Conflict)).ShouldContain("national");
        (await Refused(new { code = "X4", name = "Zone", type = "clinic", parent = "REG-A", time_zone = "Mars/Olympus" }, HttpStatusCode.BadRequest)).ShouldContain("Mars/Olympus");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Users_are_added_once_with_valid_roles_and_passwords(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        using var admin = await host.SignedInAsync("admin");

        var ok = await admin.PostAsJsonAsync("/api/v1/users", new { username = "Dr.Tazi", password = "long-enough-password", roles = new[] { "clinician" }, establishment = "CHU-A", profession = "physician" });
        ok.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ok.ReadAsync()).GetProperty("username").GetString().ShouldBe("dr.tazi");

        (await admin.PostAsJsonAsync("/api/v1/users", new { username = "dr.tazi", password = "long-enough-password", roles = new[] { "clinician" } }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var shortPassword = await admin.PostAsJsonAsync("/api/v1/users", new { username = "x.short", password = "short", roles = new[] { "dpo" } });
        shortPassword.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await shortPassword.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("12 characters");
        var badRole = await admin.PostAsJsonAsync("/api/v1/users", new { username = "x.role", password = "long-enough-password", roles = new[] { "wizard" } });
        (await badRole.ReadAsync()).GetProperty("detail").GetString()!.ShouldContain("wizard");

        // Roles change, and the change shows in the user's next token.
        var changed = await admin.PutAsJsonAsync("/api/v1/users/dr.tazi/roles", new { roles = new[] { "clinician", "dpo" } });
        changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var tazi = host.ClientWith(await host.TokenAsync("dr.tazi", "long-enough-password"));
        (await (await tazi.GetAsync("/api/v1/me")).ReadAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["clinician", "dpo"]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_collector_key_is_shown_once_stored_as_a_hash_and_revocable(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        using var admin = await host.SignedInAsync("admin");

        var created = await (await admin.PostAsJsonAsync("/api/v1/collectors", new { name = "fw-chu-a", establishment = "CHU-A" })).ReadAsync();
        var key = created.GetProperty("api_key").GetString()!;
        key.ShouldStartWith("vgk_");

        var listed = await (await admin.GetAsync("/api/v1/collectors")).ReadAsync();
        listed.GetRawText().ShouldNotContain(key);
        listed.GetProperty("items")[0].GetProperty("active").GetBoolean().ShouldBeTrue();

        var registry = await host.WithServicesAsync(async sp =>
        {
            var r = sp.GetRequiredService<CollectorRegistry>();
            return (await r.AuthenticateAsync(key, null))?.Name;
        });
        registry.ShouldBe("fw-chu-a");

        (await admin.PostAsync("/api/v1/collectors/fw-chu-a/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var afterRevoke = await host.WithServicesAsync(sp => sp.GetRequiredService<CollectorRegistry>().AuthenticateAsync(key, null));
        afterRevoke.ShouldBeNull();
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Every_administrative_and_sign_in_action_becomes_a_typed_security_event(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("admin", Roles.Admin, "NAT");
        using var admin = await host.SignedInAsync("admin");
        await admin.PostAsJsonAsync("/api/v1/users", new { username = "nurse", password = "long-enough-password", roles = new[] { "clinician" }, establishment = "CHU-A" });
        await admin.PutAsJsonAsync("/api/v1/users/nurse/roles", new { roles = new[] { "clinician", "dpo" } });
        await admin.PostAsJsonAsync("/api/v1/collectors", new { name = "syslog-a", establishment = "CHU-A" });
        await admin.PostAsync("/api/v1/collectors/syslog-a/revoke", null);
        await admin.PostAsync("/api/v1/users/nurse/disable", null);
        await host.RequestTokenAsync("admin", "bad password given");

        var events = await (await admin.GetAsync("/api/v1/security-events?limit=100")).ReadAsync();
        var actions = events.GetProperty("items").Strings("action");
        foreach (var expected in new[] { "establishment-added", "user-added", "sign-in-succeeded", "token-issued", "roles-changed", "collector-added", "collector-key-revoked", "user-disabled", "sign-in-failed" })
            actions.ShouldContain(expected);
        var rolesChanged = events.GetProperty("items").EnumerateArray().First(e => e.GetProperty("action").GetString() == "roles-changed");
        rolesChanged.GetProperty("actor").GetString().ShouldBe("admin");
        rolesChanged.GetProperty("target").GetString().ShouldBe("nurse");
        rolesChanged.GetProperty("code").GetInt32().ShouldBe(1205);
        rolesChanged.GetProperty("details").GetProperty("after").EnumerateArray().Select(r => r.GetString()).ShouldBe(["clinician", "dpo"]);
    }
}
