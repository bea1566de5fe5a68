using System.Net;
using System.Net.Http.Json;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Api;

public sealed class ScopeTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_security_officer_sees_only_their_region_and_national_roles_see_all(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("national.soc", Roles.SocAnalyst, "NAT");
        await host.AddUserAsync("rssi.a", Roles.SecurityOfficer, "REG-A");
        await host.AddUserAsync("rssi.chu", Roles.SecurityOfficer, "CHU-A");
        await host.AddUserAsync("doctor.b", Roles.Clinician, "HOSP-B");

        using var national = await host.SignedInAsync("national.soc");
        var all = (await (await national.GetAsync("/api/v1/establishments")).ReadAsync()).GetProperty("items").Strings("code");
        all.ShouldBe(["NAT", "REG-A", "CHU-A", "REG-B", "HOSP-B"]);

        using var regionOfficer = await host.SignedInAsync("rssi.a");
        (await (await regionOfficer.GetAsync("/api/v1/establishments")).ReadAsync()).GetProperty("items").Strings("code")
            .ShouldBe(["REG-A", "CHU-A"]);
        var users = (await (await regionOfficer.GetAsync("/api/v1/users")).ReadAsync()).GetProperty("items").Strings("username");
        users.ShouldBe(["rssi.a", "rssi.chu"]);
        // Another region's user does not exist, as far as this officer can tell.
        (await regionOfficer.GetAsync("/api/v1/users/doctor.b")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var chuOfficer = await host.SignedInAsync("rssi.chu");
        (await (await chuOfficer.GetAsync("/api/v1/establishments")).ReadAsync()).GetProperty("items").Strings("code").ShouldBe(["CHU-A"]);
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Roles_decide_what_a_user_may_call(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("doctor", Roles.Clinician, "CHU-A");
        await host.AddUserAsync("analyst", Roles.SocAnalyst, "NAT");
        await host.AddUserAsync("regional.admin", Roles.Admin, "REG-A");

        using var doctor = await host.SignedInAsync("doctor");
        (await doctor.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await doctor.GetAsync("/api/v1/establishments")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await doctor.GetAsync("/api/v1/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var analyst = await host.SignedInAsync("analyst");
        (await analyst.GetAsync("/api/v1/establishments")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync("/api/v1/users", new { username = "x1", password = VigieTestHost.Password, roles = new[] { "admin" } }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // An administrator of region A cannot place a user, nor an establishment, in region B.
        using var regionalAdmin = await host.SignedInAsync("regional.admin");
        (await regionalAdmin.PostAsJsonAsync("/api/v1/users", new { username = "nurse.b", password = VigieTestHost.Password, roles = new[] { "clinician" }, establishment = "HOSP-B" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await regionalAdmin.PostAsJsonAsync("/api/v1/users", new { username = "nurse.a", password = VigieTestHost.Password, roles = new[] { "clinician" }, establishment = "CHU-A" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await regionalAdmin.PostAsJsonAsync("/api/v1/establishments", new { code = "LAB-B", name = "Lab B", type = "laboratory", parent = "REG-B" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
