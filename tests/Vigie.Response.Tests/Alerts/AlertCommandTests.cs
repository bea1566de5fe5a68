using System.Text.Json;
using Vigie.Response.Tests.Helpers;
using Vigie.Server.Tests.Support;
using Vigie.Sigma;

namespace Vigie.Response.Tests.Alerts;

public sealed class AlertCommandTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Alerts_are_listed_acknowledged_and_closed_from_the_command_line(string provider)
    {
        await using var host = await VigieTestHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddDetectionsAsync(Detections.Make("brute-force", Detections.Start, await host.EstablishmentIdAsync("CHU-A"), "alice", SigmaLevel.High, ["attack.t1110"], title: "Brute force"));
        string[] store = ["--data", host.Store.DataDirectory, .. (host.Store.Url.Length > 0 ? new[] { "--store", host.Store.Url } : [])];

        var list = await VigieProcess.RunAsync(["alerts", "list", "--output", "json", .. store]);
        list.ExitCode.ShouldBe(0, list.ToString());
        var item = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("items")[0];
        item.GetProperty("rule_id").GetString().ShouldBe("brute-force");
        item.GetProperty("severity").GetString().ShouldBe("high");
        var id = item.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var table = await VigieProcess.RunAsync(["alerts", "list", "--status", "new", .. store]);
        table.Stdout.ShouldContain("Brute force");
        table.Stdout.ShouldContain("CHU-A");

        var ack = await VigieProcess.RunAsync(["alerts", "ack", id, "--comment", "on it", .. store]);
        ack.ExitCode.ShouldBe(0, ack.ToString());
        ack.Stdout.ShouldContain($"Alert {id} acknowledged.");

        var again = await VigieProcess.RunAsync(["alerts", "ack", id, .. store]);
        again.ExitCode.ShouldBe(1);
        again.Stderr.Trim().ShouldBe($"vigie: alert {id} is acknowledged: it cannot be acknowledged; allowed: close");

        var bad = await VigieProcess.RunAsync(["alerts", "close", id, "--resolution", "solved", "--reason", "x", .. store]);
        bad.ExitCode.ShouldBe(1);
        bad.Stderr.ShouldContain("resolution 'solved' is unknown");

        var missing = await VigieProcess.RunAsync(["alerts", "close", id, .. store]);
        missing.ExitCode.ShouldBe(2);

        var close = await VigieProcess.RunAsync(["alerts", "close", id, "--resolution", "true_positive", "--reason", "confirmed with the user", .. store]);
        close.ExitCode.ShouldBe(0, close.ToString());
        var show = await VigieProcess.RunAsync(["alerts", "show", id, .. store]);
        var detail = JsonDocument.Parse(show.Stdout).RootElement;
        detail.GetProperty("status").GetString().ShouldBe("closed");
        detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("actor").GetString()!).Last().ShouldStartWith("cli:");

        var unknown = await VigieProcess.RunAsync(["alerts", "show", "424242", .. store]);
        unknown.ExitCode.ShouldBe(1);
        unknown.Stderr.Trim().ShouldBe("vigie: alert 424242 does not exist");
    }

    [SkippableFact]
    public async Task Detections_imported_from_a_file_become_alerts_once()
    {
        await using var host = await VigieTestHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        var file = Path.Combine(TestEnvironment.NewTempDirectory(), "detections.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            """{"rule_id":"r1","title":"Suspicious PowerShell","level":"high","tags":["attack.t1059.001"],"timestamp":"2026-05-04T09:00:00Z","establishment":"CHU-A","event":{"user":{"name":"alice"},"host":{"name":"ws-12"}}}""",
            """{"rule_id":"r1","title":"Suspicious PowerShell","level":"high","tags":["attack.t1059.001"],"timestamp":"2026-05-04T09:10:00Z","establishment":"CHU-A","event":{"user":{"name":"alice"},"host":{"name":"ws-12"}}}""",
            "",
            """{"rule_id":"r2","rule_title":"Ransom note","level":"critical","timestamp":"2026-05-04T09:00:00Z","event":{"host":{"name":"srv-b"}}}""",
        ]);
        var first = await VigieProcess.RunAsync(["alerts", "import", file, "--establishment", "HOSP-B", "--data", host.Store.DataDirectory]);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.Trim().ShouldBe("3 detections: 2 new alerts, 1 grouped into open alerts, 0 suppressed, 0 excepted, 0 already imported.");
        var second = await VigieProcess.RunAsync(["alerts", "import", file, "--data", host.Store.DataDirectory, "--establishment", "HOSP-B"]);
        second.Stdout.Trim().ShouldBe("3 detections: 0 new alerts, 0 grouped into open alerts, 0 suppressed, 0 excepted, 3 already imported.");

        var list = JsonDocument.Parse((await VigieProcess.RunAsync(["alerts", "list", "--output", "json", "--data", host.Store.DataDirectory])).Stdout).RootElement;
        var items = list.GetProperty("items").EnumerateArray().ToList();
        items.Single(i => i.GetProperty("rule_id").GetString() == "r1").GetProperty("count").GetInt32().ShouldBe(2);
        items.Single(i => i.GetProperty("rule_id").GetString() == "r2").GetProperty("establishment").GetString().ShouldBe("HOSP-B");

        var broken = Path.Combine(Path.GetDirectoryName(file)!, "broken.jsonl");
        await File.WriteAllLinesAsync(broken, ["""{"rule_id":"r1","timestamp":"2026-05-04T09:00:00Z"}""", """{"rule_id": "r1", "timestamp": """]);
        var refused = await VigieProcess.RunAsync(["alerts", "import", broken, "--data", host.Store.DataDirectory]);
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain("line 2: not valid JSON");
        refused.Stderr.ShouldContain(broken);
    }
}
