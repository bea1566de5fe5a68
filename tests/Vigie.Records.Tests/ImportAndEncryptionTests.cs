using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Core.Identity;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary><c>vigie records import</c> with Synthea's bundles and bulk NDJSON, then what the database files reveal.</summary>
public sealed class ImportAndEncryptionTests
{
    [SkippableFact]
    public async Task Synthea_bundles_and_bulk_NDJSON_import_completely_and_the_database_files_hold_no_names()
    {
        RecordsData.SkipWithoutSynthea();
        var data = TestEnvironment.NewTempDirectory();
        try
        {
            var result = await VigieProcess.RunAsync(["establishments", "add", "--code", "MA-NAT", "--name", "National", "--type", "national", "--data", data]);
            result.ExitCode.ShouldBe(0, result.ToString());
            result = await VigieProcess.RunAsync(["records", "import", RecordsData.Bundles, RecordsData.Bulk, "--data", data], timeoutSeconds: 300);
            result.ExitCode.ShouldBe(0, result.ToString());
            var expectedBundleEntries = RecordsData.PatientBundles.Concat(Directory.GetFiles(RecordsData.Bundles, "*Information*.json"))
                .Sum(f => System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("entry").GetArrayLength());
            var expectedLines = Directory.GetFiles(RecordsData.Bulk, "*.ndjson").Where(f => !f.EndsWith("log.ndjson", StringComparison.Ordinal))
                .Sum(f => File.ReadLines(f).Count(l => l.Length > 0));
            result.Stdout.ShouldContain($"Imported {expectedBundleEntries + expectedLines} resources");

            var store = Vigie.Storage.StoreLocation.Parse(null, data);
            await using (var db = Vigie.Storage.VigieStore.CreateContext(store))
            {
                (await db.FhirResources.CountAsync()).ShouldBe(expectedBundleEntries + expectedLines);
                (await db.PatientIdentities.CountAsync()).ShouldBe(RecordsData.PatientBundles.Count + File.ReadLines(Path.Combine(RecordsData.Bulk, "Patient.000.ndjson")).Count());
                (await db.PatientIdentities.AllAsync(p => p.NationalId.Length == 16)).ShouldBeTrue();
                // Every reference was resolved to a stored resource: no conditional or urn reference survives.
                (await db.FhirResources.Where(r => r.ResourceType == "Encounter" && r.PatientId == null).CountAsync()).ShouldBe(0);
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            // What an attacker holding only the database files sees: no patient name, no clinical text.
            var names = RecordsData.PatientNames();
            names.Count.ShouldBeGreaterThan(20);
            var found = new List<string>();
            foreach (var file in Directory.GetFiles(data, "vigie.db*"))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                foreach (var needle in names.Concat(["Hypertension", "Body Height", "Prediabetes", "http://loinc.org"]))
                {
                    if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(needle)) >= 0)
                        found.Add($"{Path.GetFileName(file)}: {needle}");
                }
            }
            found.ShouldBeEmpty();

            // A second import of the same bulk data updates in place (ids are kept): nothing is duplicated.
            result = await VigieProcess.RunAsync(["records", "import", Path.Combine(RecordsData.Bulk, "Patient.000.ndjson"), "--data", data]);
            result.ExitCode.ShouldBe(0, result.ToString());
            await using (var db = Vigie.Storage.VigieStore.CreateContext(store))
                (await db.FhirResources.CountAsync(r => r.ResourceType == "Patient")).ShouldBe(RecordsData.PatientBundles.Count + File.ReadLines(Path.Combine(RecordsData.Bulk, "Patient.000.ndjson")).Count());
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            result = await VigieProcess.RunAsync(["audit", "verify", "--data", data]);
            result.ExitCode.ShouldBe(0, result.ToString());
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [SkippableFact]
    public async Task A_bad_file_is_refused_whole_naming_the_file_and_line()
    {
        var data = TestEnvironment.NewTempDirectory();
        try
        {
            var file = Path.Combine(data, "Observation.000.ndjson");
            await File.WriteAllLinesAsync(file,
            [
                """{"resourceType":"Patient","id":"p1","name":[{"family":"Tazi"}]}""",
                """{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}""",
                """{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/nobody"}}""",
            ]);
            var result = await VigieProcess.RunAsync(["records", "import", file, "--data", data]);
            result.ExitCode.ShouldBe(1, result.ToString());
            result.Stderr.ShouldContain("Observation.000.ndjson:3");
            result.Stderr.ShouldContain("Patient/nobody");
            await File.WriteAllTextAsync(file, """{"resourceType":"Observation","id":"o3","status":"done","code":{"text":"x"}}""");
            result = await VigieProcess.RunAsync(["records", "import", file, "--data", data]);
            result.ExitCode.ShouldBe(1);
            result.Stderr.ShouldContain("Observation.000.ndjson:1");
            result.Stderr.ShouldContain("Observation.status");
            var store = Vigie.Storage.StoreLocation.Parse(null, data);
            await using var db = Vigie.Storage.VigieStore.CreateContext(store);
            (await db.FhirResources.CountAsync()).ShouldBe(0, "nothing half-written");
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Rotating_keys_keeps_every_record_readable_and_new_writes_use_the_new_key(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        var args = new List<string> { "keys", "rotate", "--data", host.Store.DataDirectory };
        if (host.Store.Url.Length > 0)
            args.AddRange(["--store", host.Store.Url]);
        var kek = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-key-encryption-key-32-bytes"));
        var result = await VigieProcess.RunAsync(args, new Dictionary<string, string> { ["VIGIE_KEK"] = kek });
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Data key 3 is now active");
        // The running node meets the new key on the next write and loads it.
        var (status, _) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        status.ShouldBe(200);
        (status, var created) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation",
            $$$"""{"resourceType":"Observation","status":"final","code":{"text":"temperature"},"subject":{"reference":"Patient/{{{ward.PatientId}}}"},"valueQuantity":{"value":37.2,"unit":"Cel"}}""");
        status.ShouldBe(201, created.Issues());
        var keyIds = await host.WithServicesAsync(async sp => await sp.GetRequiredService<VigieDbContext>().FhirResources.Select(r => r.KeyId).Distinct().ToListAsync());
        keyIds.ShouldContain(1);
        (status, _) = await ward.Amrani.GetFhirAsync($"/fhir/Observation/{created.GetProperty("id").GetString()}");
        status.ShouldBe(200);
        // A wrong key-encryption key opens nothing and says so.
        result = await VigieProcess.RunAsync(args, new Dictionary<string, string> { ["VIGIE_KEK"] = Convert.ToBase64String(new byte[32]) });
        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("does not open record key");
    }
}
