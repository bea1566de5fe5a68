using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vigie.Core.Audit;
using Vigie.Core.Identity;
using Vigie.Server.Tests.Support;
using Vigie.Storage;

namespace Vigie.Server.Tests.Console;

/// <summary>The console's audit-ledger page tells an intact ledger from one edited in the database, naming the entry.</summary>
public sealed partial class ConsoleLedgerTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<HttpClient> SignedInBrowserAsync(VigieTestHost host, string username)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = host.Address };
        var token = AntiforgeryField().Match(await browser.GetStringAsync("/login")).Groups[1].Value;
        var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username, ["password"] = VigieTestHost.Password, ["__RequestVerificationToken"] = token,
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return browser;
    }

    private static async Task<string> VerifyAsync(HttpClient browser)
    {
        var token = AntiforgeryField().Match(await browser.GetStringAsync("/admin/ledger")).Groups[1].Value;
        var response = await browser.PostAsync("/admin/ledger?handler=Verify", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task The_ledger_page_says_intact_then_broken_at_the_entry_changed_in_the_database(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider, new Dictionary<string, string?> { ["ledger_checkpoint_interval"] = "5" });
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dpo.nat", Roles.Dpo, "NAT");
        var writer = host.Services.GetRequiredService<LedgerWriter>();
        foreach (var i in Enumerable.Range(1, 12))
        {
            await writer.AppendAsync(new LedgerEntry
            {
                UserName = "clin" + i % 3, UserRoles = "clinician", Action = "read", ResourceType = "Patient", ResourceId = $"p{i}", PatientId = $"p{i}",
                Status = 200, Decision = "permit", Purpose = "TREAT", CareRelationship = "encounter", PrevHash = [], Hash = [],
            });
        }
        await writer.CheckpointNowAsync();
        using var browser = await SignedInBrowserAsync(host, "dpo.nat");

        (await VerifyAsync(browser)).ShouldContain("Vérifié : la chaîne est intacte");

        await using (DbConnection connection = host.Store.Location.Provider == StoreProvider.Sqlite
            ? new SqliteConnection(host.Store.Location.ConnectionString)
            : new NpgsqlConnection(host.Store.Location.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE audit_ledger SET decision = 'deny' WHERE seq = 7";
            (await cmd.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var html = await VerifyAsync(browser);
        html.ShouldContain("Rompu à l'entrée 7");
        html.ShouldNotContain("la chaîne est intacte");
    }
}
