using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Core;
using Vigie.Core.Audit;
using Vigie.Core.Data;
using Vigie.Core.Patients;
using Vigie.Core.Records;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>The master patient index: trust levels through the registry and documents, duplicates, merges.</summary>
public sealed class PatientIdentityTests
{
    private static string Kek => Convert.ToBase64String(Encoding.ASCII.GetBytes("test-key-encryption-key-32-bytes"));

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_qualified_identity_travels_with_its_national_identifier_a_provisional_one_does_not(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        var national = await host.WithServicesAsync(async sp => (await sp.GetRequiredService<VigieDbContext>().PatientIdentities.SingleAsync(p => p.PatientId == ward.PatientId)).NationalId);
        NationalHealthId.IsValid(national).ShouldBeTrue();

        static IEnumerable<string?> Systems(JsonElement patient) =>
            patient.TryGetProperty("identifier", out var identifiers) ? identifiers.EnumerateArray().Select(i => i.GetProperty("system").GetString()).ToList() : [];
        var (_, fromElsewhere) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}", Ward.BreakTheGlass);
        Systems(fromElsewhere).ShouldNotContain(NationalHealthId.System, "a provisional identity stays in its establishment");
        var (_, atHome) = await ward.Amrani.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        Systems(atHome).ShouldContain(NationalHealthId.System);

        var registry = Path.Combine(host.Store.DataDirectory, "registry.json");
        await File.WriteAllTextAsync(registry, """[{"card_number":"AB123456","family":"Amrani","given":"Khadija","birth_date":"1961-07-02","sex":"female","birth_place":"Fès"}]""");
        var args = new List<string> { "records", "verify-identity", "--patient", ward.PatientId, "--card", "AB123456", "--identity-registry", registry, "--data", host.Store.DataDirectory };
        if (host.Store.Url.Length > 0)
            args.AddRange(["--store", host.Store.Url]);
        var result = await VigieProcess.RunAsync(args, new Dictionary<string, string> { ["VIGIE_KEK"] = Kek });
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("provisional → retrieved");
        result = await VigieProcess.RunAsync([.. args, "--document-checked"], new Dictionary<string, string> { ["VIGIE_KEK"] = Kek });
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("retrieved → qualified");

        await Task.Delay(AccessFactsCache.Lifetime + TimeSpan.FromSeconds(1)); // another process changed the identity
        var (_, qualified) = await ward.Berrada.GetFhirAsync($"/fhir/Patient/{ward.PatientId}");
        Systems(qualified).ShouldContain(NationalHealthId.System);
        Systems(qualified).ShouldContain(IdentityVerification.IdentityCardSystem);
        var ledger = await host.LedgerAsync();
        ledger.Last(e => e.UserName == "dr.berrada").PatientRef.ShouldBe(national);
        ledger.First(e => e.UserName == "dr.berrada").PatientRef!.ShouldStartWith("pseudo:");
        ledger.Count(e => e.Action == "identity-verify").ShouldBe(2);

        await File.WriteAllTextAsync(registry, """[{"card_number":"ZZ999999","family":"Amrani","given":"Khadija","birth_date":"1962-07-02"}]""");
        result = await VigieProcess.RunAsync(["records", "verify-identity", "--patient", ward.PatientId, "--card", "ZZ999999", "--identity-registry", registry, .. args[^(host.Store.Url.Length > 0 ? 4 : 2)..]],
            new Dictionary<string, string> { ["VIGIE_KEK"] = Kek });
        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("differs from Patient");
        result.Stderr.ShouldContain("birth date");
        result.Stderr.ShouldNotContain("1962", Case.Sensitive, "the registry's data is not echoed");
    }

    [SkippableFact]
    public async Task The_HTTP_registry_adapter_reads_identities_and_reports_an_unknown_card()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/registry/identities/{card}", (string card) => card == "CD777"
            ? Results.Json(new { card_number = "CD777", family = "Tazi", given = "Omar", birth_date = "1990-01-31", sex = "male" })
            : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var registry = new HttpIdentityRegistry(new HttpClient(), new Uri($"{address}/registry/"));
        var found = await registry.FindAsync("CD777", CancellationToken.None);
        found.ShouldNotBeNull();
        found.Family.ShouldBe("Tazi");
        found.BirthDate.ShouldBe("1990-01-31");
        (await registry.FindAsync("NOPE", CancellationToken.None)).ShouldBeNull();
        var down = new HttpIdentityRegistry(new HttpClient(), new Uri($"http://127.0.0.1:{VigieProcess.FreePort()}/"));
        (await Should.ThrowAsync<VigieException>(() => down.FindAsync("CD777", CancellationToken.None))).Message.ShouldContain("cannot be reached");
    }

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task A_patient_registered_twice_is_found_as_a_probable_duplicate_and_merged_keeping_history(string provider)
    {
        RecordsData.SkipWithoutSynthea();
        await using var host = await RecordsHost.StartAsync(provider);
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("registrar", Vigie.Core.Identity.Roles.Clinician, "CHU-A");
        var registrar = await host.FhirClientAsync("registrar");
        var bundle = await File.ReadAllTextAsync(RecordsData.PatientBundles.First(f => Path.GetFileName(f).StartsWith("Mao_", StringComparison.Ordinal)));
        var ids = new List<string>();
        foreach (var _ in new[] { 1, 2 })
        {
            var (status, response) = await registrar.SendAsync(HttpMethod.Post, "/fhir", bundle);
            status.ShouldBe(200, response.Issues());
            ids.Add(response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("location").GetString()!)
                .First(l => l.StartsWith("Patient/", StringComparison.Ordinal)).Split('/')[1]);
        }
        var candidates = await host.WithServicesAsync(sp => sp.GetRequiredService<DuplicateFinder>().FindAsync(ids[1]));
        var match = candidates.ShouldHaveSingleItem();
        match.PatientId.ShouldBe(ids[0]);
        match.Level.ShouldBe("probable");
        match.Reasons.ShouldContain("same birth date");
        match.Reasons.ShouldContain("a shared identifier");

        var outcome = await host.WithServicesAsync(sp => sp.GetRequiredService<PatientMerge>().MergeAsync(ids[1], ids[0], "test"));
        outcome.Moved.ShouldBeGreaterThan(100);
        var (after, source, remaining, history) = await host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<VigieDbContext>();
            var store = sp.GetRequiredService<FhirResourceStore>();
            var row = await store.FindReadOnlyAsync("Patient", ids[1]);
            var json = JsonDocument.Parse(await store.ContentAsync(row!)).RootElement.Clone();
            return (await db.FhirResources.CountAsync(r => r.PatientId == ids[0]), json, await db.FhirResources.CountAsync(r => r.PatientId == ids[1] && r.ResourceType != "Patient"),
                await db.FhirResourceVersions.CountAsync(v => v.PatientId == ids[1] && v.VersionId == 1 && v.ResourceType != "Patient"));
        });
        remaining.ShouldBe(0);
        history.ShouldBe(outcome.Moved, "the versions before the merge stay in history");
        after.ShouldBe(1 + 2 * outcome.Moved);
        source.GetProperty("active").GetBoolean().ShouldBeFalse();
        source.GetProperty("link")[0].GetProperty("type").GetString().ShouldBe("replaced-by");
        (await host.WithServicesAsync(sp => sp.GetRequiredService<DuplicateFinder>().FindAsync(ids[0]))).ShouldBeEmpty("a merged identity is no longer a candidate");
        (await host.LedgerAsync()).ShouldContain(e => e.Action == "merge" && e.ResourceId == ids[1] && e.PatientId == ids[0]);
    }
}

public sealed class RegistrationDuplicateTests
{
    [SkippableFact]
    public async Task Registering_a_patient_who_is_already_known_names_the_likely_duplicate()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        await host.SeedHierarchyAsync();
        await host.AddUserAsync("registrar", Vigie.Core.Identity.Roles.Clinician, "CHU-A");
        var registrar = await host.FhirClientAsync("registrar");
        const string First = """{"resourceType":"Patient","name":[{"family":"El Idrissi","given":["Fatima"]}],"gender":"female","birthDate":"1975-04-18","identifier":[{"system":"urn:oid:2.16.504.1.2","value":"BK220011"}]}""";
        const string Again = """{"resourceType":"Patient","name":[{"family":"El-Idrissi","given":["Fatima","Zahra"]}],"gender":"female","birthDate":"1975-04-18","identifier":[{"system":"urn:oid:2.16.504.1.2","value":"BK220011"}]}""";
        const string Other = """{"resourceType":"Patient","name":[{"family":"Bennani","given":["Youssef"]}],"gender":"male","birthDate":"1975-04-18"}""";
        var first = await registrar.PostAsync("/fhir/Patient", RecordsHost.Fhir(First));
        first.Headers.Contains("X-Possible-Duplicates").ShouldBeFalse();
        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var other = await registrar.PostAsync("/fhir/Patient", RecordsHost.Fhir(Other));
        other.Headers.Contains("X-Possible-Duplicates").ShouldBeFalse("same birth date alone is not a duplicate");
        var again = await registrar.PostAsync("/fhir/Patient", RecordsHost.Fhir(Again));
        ((int)again.StatusCode).ShouldBe(201);
        again.Headers.GetValues("X-Possible-Duplicates").Single().ShouldBe($"Patient/{firstId}");
        (await host.LedgerAsync()).ShouldContain(e => e.Action == "duplicate-check" && e.Reasons!.Contains($"Patient/{firstId} (probable"));
    }
}
