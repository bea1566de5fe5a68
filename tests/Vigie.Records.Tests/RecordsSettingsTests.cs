using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>
/// Records settings that cannot work stop the real executable with one line naming them, never a stack trace; a server
/// without its key-encryption key says so to every FHIR client.
/// </summary>
public sealed class RecordsSettingsTests
{
    [Theory]
    [InlineData("ledger_acknowledge", "sometimes", "vigie: ledger_acknowledge: 'sometimes' is neither 'committed' nor 'queued'")]
    [InlineData("ledger_queue_limit", "lots", "vigie: ledger_queue_limit: 'lots' is not a number of entries from 1 to 1000000")]
    public async Task An_unknown_ledger_setting_stops_start_up_in_one_line(string setting, string value, string message)
    {
        var env = new Dictionary<string, string> { ["VIGIE_LEDGER_ACKNOWLEDGE"] = "queued", ["VIGIE_" + setting.ToUpperInvariant()] = value };
        var result = await VigieProcess.RunAsync(["serve", "--data", TestEnvironment.NewTempDirectory(), "--urls", $"http://127.0.0.1:{VigieProcess.FreePort()}"], env, timeoutSeconds: 60);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.Trim().ShouldBe(message);
    }

    [SkippableFact]
    public async Task The_demo_on_postgresql_without_a_key_encryption_key_stops_at_start_saying_which_key_is_missing()
    {
        await using var store = await TestStore.CreateAsync("postgres");
        // Stopped before it listens, whether or not the demo has sample records to import.
        var result = await VigieProcess.RunAsync(["demo", "--data", store.DataDirectory, "--store", store.Url, "--urls", $"http://127.0.0.1:{VigieProcess.FreePort()}"],
            new Dictionary<string, string> { ["VIGIE_KEK"] = "" }, timeoutSeconds: 120);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.Trim().ShouldBe("vigie: no key-encryption key: give --kek-file FILE or VIGIE_KEK (base64 of 32 random bytes); records are encrypted at rest");
    }

    [SkippableFact]
    public async Task A_server_on_postgresql_without_a_key_encryption_key_answers_fhir_requests_503_naming_the_missing_key()
    {
        await using var host = await RecordsHost.StartAsync("postgres", new Dictionary<string, string?> { ["kek"] = "" });
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("dr.k", Vigie.Core.Identity.Roles.Clinician, "CHU-A");
        var doctor = await host.FhirClientAsync("dr.k");
        var (status, outcome) = await doctor.GetFhirAsync("/fhir/Patient/p1");
        status.ShouldBe(503, "the node's configuration is at fault, not the clinician's request");
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        outcome.Issues().ShouldContain("key-encryption key is missing");
        (status, outcome) = await doctor.SendAsync(HttpMethod.Post, "/fhir", """
            {"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","name":[{"family":"Idrissi"}]},"request":{"method":"POST","url":"Patient"}}]}
            """);
        status.ShouldBe(503, outcome.Issues());
        var ledger = await host.LedgerAsync();
        ledger.Count(e => e.Status == 503 && e.UserName == "dr.k").ShouldBe(2, "both refused requests are recorded");
        ledger.ShouldNotContain(e => e.Action == "create", "nothing was created, so no creation is recorded");
    }
}
