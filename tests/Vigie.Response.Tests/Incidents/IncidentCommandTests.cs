using System.Globalization;
using System.Text.Json;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Incidents;

public sealed class IncidentCommandTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Incidents_are_opened_listed_shown_qualified_and_drafted_from_the_command_line(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddDetectionsAsync(Detections.Make("ransom-note", Detections.Start, await host.EstablishmentIdAsync("HOSP-B"), "svc-files", SigmaLevel.Critical, ["attack.t1486"],
            new Dictionary<string, string> { ["host.name"] = "FS-01" }, "Ransom note written"));
        string[] store = ["--data", host.Store.DataDirectory, .. (host.Store.Url.Length > 0 ? new[] { "--store", host.Store.Url } : [])];
        var alerts = JsonDocument.Parse((await VigieProcess.RunAsync(["alerts", "list", "--output", "json", .. store])).Stdout).RootElement;
        var alertId = alerts.GetProperty("items")[0].GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        var created = await VigieProcess.RunAsync(["incidents", "create", "--title", "Ransomware at hospital B", "--alert", alertId, .. store]);
        created.ExitCode.ShouldBe(0, created.ToString());
        created.Stdout.ShouldContain("(ransomware,");
        created.Stdout.ShouldContain("from playbook ransomware");

        var list = JsonDocument.Parse((await VigieProcess.RunAsync(["incidents", "list", "--output", "json", .. store])).Stdout).RootElement;
        var item = list.GetProperty("items")[0];
        item.GetProperty("establishment").GetString().ShouldBe("HOSP-B");
        item.GetProperty("alert_count").GetInt32().ShouldBe(1);
        var id = item.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        (await VigieProcess.RunAsync(["incidents", "list", "--status", "open", .. store])).Stdout.ShouldContain("Ransomware at hospital B");

        var qualify = await VigieProcess.RunAsync(["incidents", "qualify", id, "--personal-data", "--eu-residents", "--people-affected", "300",
            "--nature", "Serveur de fichiers chiffré", "--contact", "dpo@hosp-b.example", .. store]);
        qualify.ExitCode.ShouldBe(0, qualify.ToString());
        qualify.Stdout.ShouldContain("loi-05-20");
        qualify.Stdout.ShouldContain("gdpr-art33");
        qualify.Stdout.ShouldContain("running");

        var show = await VigieProcess.RunAsync(["incidents", "show", id, .. store]);
        show.Stdout.ShouldContain($"Incident {id}: Ransomware at hospital B");
        show.Stdout.ShouldContain("Isolate affected hosts from the network");
        show.Stdout.ShouldContain("fs-01");
        var json = JsonDocument.Parse((await VigieProcess.RunAsync(["incidents", "show", id, "--output", "json", .. store])).Stdout).RootElement;
        json.GetProperty("clocks").EnumerateArray().Select(c => c.GetProperty("regulation").GetString()).ShouldContain("gdpr-art33");

        var draft = await VigieProcess.RunAsync(["incidents", "draft", id, "--regulation", "loi-05-20", .. store]);
        draft.ExitCode.ShouldBe(0, draft.ToString());
        draft.Stdout.ShouldContain("Serveur de fichiers chiffré");
        draft.Stdout.ShouldContain("dpo@hosp-b.example");
        var pdf = Path.Combine(TestEnvironment.NewTempDirectory(), "declaration.pdf");
        var written = await VigieProcess.RunAsync(["incidents", "draft", id, "--regulation", "loi-05-20", "--format", "pdf", "--out", pdf, .. store]);
        written.ExitCode.ShouldBe(0, written.ToString());
        (await File.ReadAllBytesAsync(pdf)).Take(5).ShouldBe("%PDF-"u8.ToArray());
        var needsOut = await VigieProcess.RunAsync(["incidents", "draft", id, "--regulation", "loi-05-20", "--format", "pdf", .. store]);
        needsOut.ExitCode.ShouldBe(2);
        var wrong = await VigieProcess.RunAsync(["incidents", "draft", id, "--regulation", "hipaa-media", .. store]);
        wrong.ExitCode.ShouldBe(1);
        wrong.Stderr.ShouldContain("has no 'hipaa-media' clock");

        var badState = await VigieProcess.RunAsync(["incidents", "qualify", id, "--personal-data", "--hipaa", "--people-in-state", "California=600", .. store]);
        badState.ExitCode.ShouldBe(1);
        badState.Stderr.ShouldContain("two-letter US state code");
        var missing = await VigieProcess.RunAsync(["incidents", "show", "4242", .. store]);
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.Trim().ShouldBe("vigie: incident 4242 does not exist");
    }
}
