using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Establishments;
using Vigie.Core.SecurityEvents;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Identity;

/// <summary>Sign-in against a real OpenLDAP server (slapd), which test.sh starts and seeds.</summary>
public sealed class DirectorySignInTests
{
    private const string DirectoryPassword = "Directory-Pass-2026";

    private static Dictionary<string, string?> LdapSettings() => new()
    {
        ["ldap:url"] = TestEnvironment.Ldap,
        ["ldap:bind_dn"] = "cn=admin,dc=vigie,dc=test",
        ["ldap:bind_password"] = "ldap-admin-secret",
        ["ldap:base_dn"] = "ou=people,dc=vigie,dc=test",
        ["ldap:group_base_dn"] = "ou=groups,dc=vigie,dc=test",
        ["ldap:role_groups:clinician"] = "vigie-clinicians",
        ["ldap:role_groups:security-officer"] = "vigie-security",
    };

    private static async Task<VigieTestHost> StartAsync(string provider)
    {
        Skip.If(TestEnvironment.Ldap is null, "no test directory (VIGIE_TEST_LDAP unset; ./test.sh starts slapd)");
        var host = await VigieTestHost.StartAsync(provider, LdapSettings());
        await host.SeedHierarchyAsync();
        await host.WithServicesAsync(sp => sp.GetRequiredService<EstablishmentRegistry>()
            .AddAsync(new("CHU-T", "CHU of the directory", "chu", "REG-A"), new Actor("test")));
        return host;
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Hospital_staff_sign_in_with_their_directory_password_and_get_roles_from_their_groups(string provider)
    {
        await using var host = await StartAsync(provider);

        using var nadia = host.ClientWith(await host.TokenAsync("nadia.benali", DirectoryPassword));
        var me = await (await nadia.GetAsync("/api/v1/me")).ReadAsync();
        me.GetProperty("source").GetString().ShouldBe("directory");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["clinician"]);
        me.GetProperty("establishment").GetString().ShouldBe("CHU-T");
        me.GetProperty("profession").GetString().ShouldBe("physician");
        me.GetProperty("display_name").GetString().ShouldBe("Nadia Benali");

        using var omar = host.ClientWith(await host.TokenAsync("omar.idrissi", DirectoryPassword));
        (await omar.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var provisioned = await host.WithServicesAsync(sp => sp.GetRequiredService<VigieDbContext>().SecurityEvents
            .CountAsync(e => e.Type == SecurityEventType.DirectoryUserProvisioned));
        provisioned.ShouldBe(2);
    }

    [SkippableFact]
    public async Task A_wrong_directory_password_an_unknown_person_and_a_person_with_no_mapped_group_are_refused()
    {
        await using var host = await StartAsync("sqlite");
        (await host.RequestTokenAsync("nadia.benali", "not-her-password")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.RequestTokenAsync("nobody.there", DirectoryPassword)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.RequestTokenAsync("no.group", DirectoryPassword)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // A filter metacharacter in a username cannot widen the search.
        (await host.RequestTokenAsync("*", DirectoryPassword)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await host.RequestTokenAsync("nadia*)(uid=*", DirectoryPassword)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task A_directory_user_disabled_in_Vigie_is_refused_even_with_the_right_password()
    {
        await using var host = await StartAsync("sqlite");
        await host.TokenAsync("nadia.benali", DirectoryPassword);
        await host.AddUserAsync("admin", Vigie.Core.Identity.Roles.Admin, "NAT");
        using var admin = await host.SignedInAsync("admin");
        (await admin.PostAsync("/api/v1/users/nadia.benali/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.RequestTokenAsync("nadia.benali", DirectoryPassword)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
