using Npgsql;
using Vigie.Records.Tests.Support;
using Vigie.Server.Tests.Support;
using Vigie.Storage.Records;

namespace Vigie.Records.Tests;

/// <summary>
/// On PostgreSQL, records are read through connections of their own, kept between reads. A server that closes them
/// (a restart, a failover, an administrator ending sessions) must not turn clinicians' next reads into errors.
/// </summary>
public sealed class PostgresReaderTests
{
    [SkippableFact]
    public async Task Reads_and_searches_go_on_after_the_server_ends_the_readers_connections()
    {
        await using var host = await RecordsHost.StartAsync("postgres");
        var ward = await Ward.AdmitAsync(host);
        var doctor = ward.Amrani;
        var id = ward.PatientId;

        // Several reads at once, so that the reader keeps more than one connection.
        var reads = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => doctor.GetFhirAsync($"/fhir/Patient/{id}")));
        reads.ShouldAllBe(r => r.Status == 200);
        (await doctor.GetFhirAsync($"/fhir/Observation?patient={id}")).Status.ShouldBe(200);

        await using (var admin = new NpgsqlConnection(host.Store.Location.ConnectionString))
        {
            await admin.OpenAsync();
            await using var end = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE @name", admin);
            end.Parameters.AddWithValue("name", "%" + PostgresCurrentResourceReader.ApplicationSuffix);
            Convert.ToInt32(await end.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, "the reader kept no connection");
        }

        var after = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => doctor.GetFhirAsync($"/fhir/Patient/{id}")));
        after.ShouldAllBe(r => r.Status == 200);
        var (status, bundle) = await doctor.GetFhirAsync($"/fhir/Observation?patient={id}");
        status.ShouldBe(200, bundle.Issues());
        bundle.GetProperty("total").GetInt32().ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_read_waits_for_a_server_that_refuses_connections_for_a_moment_and_is_answered_503_when_it_stays_away()
    {
        await using var host = await RecordsHost.StartAsync("postgres");
        var ward = await Ward.AdmitAsync(host);
        var read = $"/fhir/Patient/{ward.PatientId}";
        (await ward.Amrani.GetFhirAsync(read)).Status.ShouldBe(200);
        var store = new NpgsqlConnectionStringBuilder(host.Store.Location.ConnectionString);
        var database = store.Database!;
        // PostgreSQL changes whether a database takes connections only from another one.
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(store.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        async Task Execute(string sql)
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await command.ExecuteNonQueryAsync();
        }
        // As while the server restarts, for this database only: new connections are refused, the reader's are ended.
        Task Refuse(bool refuse) => Execute($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(refuse ? "false" : "true")}");
        try
        {
            await Refuse(true);
            await Execute($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND application_name LIKE '%{PostgresCurrentResourceReader.ApplicationSuffix}'");

            using (var response = await ward.Amrani.GetAsync(read))
            {
                var body = await response.Content.ReadAsStringAsync();
                ((int)response.StatusCode).ShouldBe(503, body);
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/fhir+json");
                response.Headers.RetryAfter.ShouldNotBeNull();
                body.ShouldContain("\"transient\"");
                body.ShouldNotContain(ward.PatientId);
            }
            host.Logs.All.ShouldContain("Store unavailable");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var meanwhile = ward.Amrani.GetFhirAsync(read);
            await Task.Delay(1000);
            await Refuse(false);
            var (status, patient) = await meanwhile;
            status.ShouldBe(200, patient.Issues());
            clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900), "the read was answered after the server took connections again, not before");
            patient.GetProperty("id").GetString().ShouldBe(ward.PatientId);
        }
        finally
        {
            await Refuse(false);
        }
    }
}
