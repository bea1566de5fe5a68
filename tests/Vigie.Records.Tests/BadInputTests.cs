using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Core.Data;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;

namespace Vigie.Records.Tests;

/// <summary>Bad input gets an OperationOutcome naming what and where, is recorded in the ledger, and writes nothing.</summary>
public sealed class BadInputTests
{
    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Invalid_resources_unknown_types_and_parameters_are_named_audited_and_change_nothing(string provider)
    {
        await using var host = await RecordsHost.StartAsync(provider);
        var ward = await Ward.AdmitAsync(host);
        var before = await host.WithServicesAsync(async sp => await sp.GetRequiredService<VigieDbContext>().FhirResources.CountAsync());
        var ledgerBefore = await host.LedgerCountAsync();

        var (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation",
            $$$"""{"resourceType":"Observation","status":"done","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/{{{ward.PatientId}}}"},"effectiveDateTime":"2026-13-01","colour":"blue"}""");
        status.ShouldBe(400);
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        var issues = outcome.Issues();
        issues.ShouldContain("Observation.status");
        issues.ShouldContain("Observation.effectiveDateTime");
        issues.ShouldContain("Observation.colour");
        outcome.GetProperty("issue").EnumerateArray().Any(i => i.TryGetProperty("expression", out var e) && e[0].GetString() == "Observation.status").ShouldBeTrue();

        (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation",
            """{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/does-not-exist"}}""");
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("Patient/does-not-exist");
        (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation",
            """{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Practitioner/x"}}""");
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("cannot be referenced here");
        (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir/Observation", """{"resourceType":"Observation", "status": """);
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("not JSON");

        (status, outcome) = await ward.Amrani.GetFhirAsync("/fhir/Spaceship/1");
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("'Spaceship' is not supported");
        (status, outcome) = await ward.Amrani.GetFhirAsync($"/fhir/Observation?patient={ward.PatientId}&colour=blue&code:text=x&date=yesterday");
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("colour: unknown search parameter");
        outcome.Issues().ShouldContain("code:text: modifiers are not supported");
        outcome.Issues().ShouldContain("date: 'yesterday'");

        // A transaction with one unresolved reference writes none of its entries.
        var bundle = $$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"a"},"subject":{"reference":"Patient/{{{ward.PatientId}}}"}},"request":{"method":"POST","url":"Observation"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"b"},"subject":{"reference":"urn:uuid:0f0f0f0f-0000-4000-8000-000000000009"}},"request":{"method":"POST","url":"Observation"}}]}
            """;
        (status, outcome) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir", bundle);
        status.ShouldBe(400);
        outcome.Issues().ShouldContain("Bundle.entry[1]");

        var after = await host.WithServicesAsync(async sp => await sp.GetRequiredService<VigieDbContext>().FhirResources.CountAsync());
        after.ShouldBe(before, "nothing half-written");
        var ledger = (await host.LedgerAsync()).Skip((int)ledgerBefore).ToList();
        ledger.Count(e => e.Status == 400).ShouldBe(7, "each of the seven refused requests is in the ledger");
        ledger.Where(e => e.Status == 400).ShouldAllBe(e => e.UserName == "dr.amrani");
    }

    [SkippableFact]
    public async Task Paths_and_methods_fhir_does_not_serve_are_answered_with_an_operation_outcome()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var ward = await Ward.AdmitAsync(host);
        foreach (var (method, url, status) in new[]
        {
            (HttpMethod.Get, $"/fhir/Patient/{ward.PatientId}/a/b/c", 404),
            (HttpMethod.Patch, $"/fhir/Patient/{ward.PatientId}", 405),
        })
        {
            using var response = await ward.Amrani.SendAsync(new HttpRequestMessage(method, url));
            var body = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(status, body);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/fhir+json", body);
            body.ShouldContain("\"resourceType\":\"OperationOutcome\"");
        }
        // Elsewhere, problem details as before.
        using var api = await ward.Amrani.GetAsync("/api/v1/no-such-thing");
        api.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        api.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
    }

    [SkippableFact]
    public async Task Oversized_bodies_bad_media_types_and_bad_tokens_are_refused_and_audited()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var ward = await Ward.AdmitAsync(host);
        var ledgerBefore = await host.LedgerCountAsync();

        var huge = new StringBuilder("""{"resourceType":"Observation","status":"final","code":{"text":" """);
        huge.Append('x', 5 * 1024 * 1024).Append("\"}}");
        // Expect: 100-continue lets the server refuse on the announced length before the body is sent.
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/fhir/Observation") { Content = new StringContent(huge.ToString(), Encoding.UTF8, "application/fhir+json") };
        tooLarge.Headers.ExpectContinue = true;
        var response = await ward.Amrani.SendAsync(tooLarge);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("OperationOutcome");

        response = await ward.Amrani.PostAsync("/fhir/Observation", new StringContent("<Observation/>", Encoding.UTF8, "application/xml"));
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);

        var forged = new HttpClient { BaseAddress = host.Address };
        var token = ward.Amrani.DefaultRequestHeaders.Authorization!.Parameter!;
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"));
        response = await forged.GetAsync($"/fhir/Patient/{ward.PatientId}");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("OperationOutcome");
        body.ShouldContain("invalid");
        response = await host.Client.GetAsync($"/fhir/Patient/{ward.PatientId}");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var ledger = (await host.LedgerAsync()).Skip((int)ledgerBefore).ToList();
        ledger.ShouldContain(e => e.Status == 413);
        ledger.ShouldContain(e => e.Status == 415);
        ledger.Count(e => e.Status == 401 && e.Decision == "deny").ShouldBe(2);
        // The patient's identifier in the path of a refused request is not recorded as if it were accessed.
        ledger.Where(e => e.Status == 401).ShouldAllBe(e => e.PatientId == null && e.ResourceType == "Patient");
    }
}

/// <summary>Batch bundles: each entry decided and answered on its own.</summary>
public sealed class BatchTests
{
    [SkippableFact]
    public async Task A_batch_answers_each_entry_with_its_own_status()
    {
        await using var host = await RecordsHost.StartAsync("sqlite");
        var ward = await Ward.AdmitAsync(host);
        var batch = $$$"""
            {"resourceType":"Bundle","type":"batch","entry":[
              {"request":{"method":"GET","url":"Observation?patient={{{ward.PatientId}}}"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"pulse"},"subject":{"reference":"Patient/{{{ward.PatientId}}}"}},"request":{"method":"POST","url":"Observation"}},
              {"request":{"method":"GET","url":"Patient/{{{ward.PatientId}}}"}}]}
            """;
        var (status, response) = await ward.Berrada.SendAsync(HttpMethod.Post, "/fhir", batch);
        status.ShouldBe(200, response.Issues());
        response.GetProperty("type").GetString().ShouldBe("batch-response");
        var statuses = response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()).ToList();
        statuses.ShouldBe(["403", "403", "403"], "Dr Berrada has no relationship with the patient");
        (status, response) = await ward.Amrani.SendAsync(HttpMethod.Post, "/fhir", batch);
        status.ShouldBe(200);
        statuses = response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()).ToList();
        statuses.ShouldBe(["200", "201", "200"]);
        response.GetProperty("entry")[1].GetProperty("response").GetProperty("location").GetString()!.ShouldContain("/Observation/");
    }
}
