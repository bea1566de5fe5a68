using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>
/// The real <c>vigie serve</c> is killed with SIGKILL while collectors stream batches; after a restart every
/// acknowledged event is stored exactly once, and batches retried with their Idempotency-Key are not doubled.
/// </summary>
public sealed class CrashTests
{
    private const string Password = "crash-test-password-1";

    [SkippableTheory]
    [MemberData(nameof(TestStore.Providers), MemberType = typeof(TestStore))]
    public async Task Every_acknowledged_event_survives_sigkill_exactly_once(string provider)
    {
        await using var store = await TestStore.CreateAsync(provider);
        string[] storeArgs = store.Url.Length > 0 ? ["--data", store.DataDirectory, "--store", store.Url] : ["--data", store.DataDirectory];
        async Task<string> Run(string[] args, string? stdin = null)
        {
            var result = await VigieProcess.RunAsync([.. args, .. storeArgs], stdin: stdin);
            result.ExitCode.ShouldBe(0, result.ToString());
            return result.Stdout;
        }
        await Run(["establishments", "add", "--code", "NAT", "--name", "National", "--type", "national"]);
        await Run(["establishments", "add", "--code", "CHU-K", "--name", "CHU K", "--type", "chu", "--parent", "NAT"]);
        await Run(["users", "add", "--username", "admin", "--role", "admin", "--establishment", "NAT", "--password-stdin"], Password + "\n");
        var key = (await Run(["collectors", "add", "--name", "streamer", "--establishment", "CHU-K"])).Trim().Split('\n')[^1].Trim();

        var port = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        string[] serve = ["serve", "--urls", url, .. storeArgs];
        var acknowledged = new ConcurrentDictionary<int, bool>();
        var unacknowledged = new ConcurrentDictionary<int, bool>();
        const int BatchSize = 250;
        var run = Guid.NewGuid().ToString("N")[..12];

        await using (var first = VigieProcess.Start(serve))
        {
            (await first.WaitReadyAsync(url + "/readyz")).ShouldBeTrue(first.Stderr + first.Stdout);
            using var cts = new CancellationTokenSource();
            var next = -1;
            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                using var client = Client(url, key);
                while (!cts.IsCancellationRequested)
                {
                    var batch = Interlocked.Increment(ref next);
                    try
                    {
                        var response = await Send(client, run, batch, BatchSize);
                        if (response.StatusCode == HttpStatusCode.OK)
                            acknowledged[batch] = true;
                        else
                            unacknowledged[batch] = true;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        unacknowledged[batch] = true;
                    }
                }
            })).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 40 && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            first.Kill();
            await cts.CancelAsync();
            await Task.WhenAll(senders);
        }
        acknowledged.Count.ShouldBeGreaterThanOrEqualTo(40);

        await using var second = VigieProcess.Start(serve);
        (await second.WaitReadyAsync(url + "/readyz")).ShouldBeTrue(second.Stderr + second.Stdout);
        // Collectors retry what was not acknowledged, with the same keys; some of it was stored before the kill.
        using (var client = Client(url, key))
        {
            foreach (var batch in unacknowledged.Keys.Order())
                (await Send(client, run, batch, BatchSize)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var admin = new HttpClient { BaseAddress = new Uri(url) };
        var token = await admin.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = Password });
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.ReadAsync()).GetProperty("access_token").GetString());
        var counts = new Dictionary<long, int>();
        string? cursor = null;
        do
        {
            var page = await admin.GetAsync($"/api/v1/events?q=labels.run:{run}&limit=1000" + (cursor is null ? "" : "&cursor=" + cursor));
            var body = await page.ReadAsync();
            page.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
            foreach (var e in body.GetProperty("events").EnumerateArray())
            {
                var seq = e.GetProperty("labels.seq").GetInt64();
                counts[seq] = counts.GetValueOrDefault(seq) + 1;
            }
            cursor = body.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : body.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        counts.Values.Where(v => v > 1).ShouldBeEmpty("no event is stored twice");
        foreach (var batch in acknowledged.Keys.Concat(unacknowledged.Keys))
        {
            for (var i = 0; i < BatchSize; i++)
                counts.ShouldContainKey((long)batch * BatchSize + i, $"event {i} of batch {batch} ({(acknowledged.ContainsKey(batch) ? "acknowledged" : "retried")})");
        }
        counts.Count.ShouldBe((acknowledged.Count + unacknowledged.Count) * BatchSize);
    }

    private static HttpClient Client(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string run, int batch, int size)
    {
        var body = new StringBuilder();
        for (var i = 0; i < size; i++)
        {
            var seq = (long)batch * size + i;
            body.Append("{\"@timestamp\":\"").Append(DateTime.UtcNow.ToString("O")).Append("\",\"labels.run\":\"").Append(run)
                .Append("\",\"labels.seq\":").Append(seq).Append(",\"event.action\":\"crash-test\",\"message\":\"streamed event ").Append(seq).Append("\"}\n");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest") { Content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson") };
        request.Headers.Add("Idempotency-Key", $"{run}-{batch}");
        return await client.SendAsync(request);
    }
}
