using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Vigie.Server.Tests.Support;

namespace Vigie.Server.Tests.Ingestion;

/// <summary>The collection verbs and the syslog listeners of the real executable.</summary>
public sealed class CollectionCommandTests
{
    private const string Password = "command-test-password-1";

    private sealed class Setup(string data, string key)
    {
        public string Data { get; } = data;
        public string Key { get; } = key;
        public string[] Store => ["--data", Data];

        public async Task<VigieProcess.Result> RunAsync(params string[] args) => await VigieProcess.RunAsync([.. args, .. Store]);
    }

    private static async Task<Setup> PrepareAsync()
    {
        var data = TestEnvironment.NewTempDirectory("vigie-collect");
        string[] store = ["--data", data];
        (await VigieProcess.RunAsync(["establishments", "add", "--code", "NAT", "--name", "National", "--type", "national", .. store])).ExitCode.ShouldBe(0);
        (await VigieProcess.RunAsync(["establishments", "add", "--code", "CHU-S", "--name", "CHU S", "--type", "chu", "--parent", "NAT", .. store])).ExitCode.ShouldBe(0);
        (await VigieProcess.RunAsync(["users", "add", "--username", "admin", "--role", "admin", "--establishment", "NAT", "--password-stdin", .. store], stdin: Password + "\n")).ExitCode.ShouldBe(0);
        var added = await VigieProcess.RunAsync(["collectors", "add", "--name", "relay", "--establishment", "CHU-S", .. store]);
        added.ExitCode.ShouldBe(0, added.ToString());
        return new Setup(data, added.Stdout.Trim().Split('\n')[^1].Trim());
    }

    [SkippableFact]
    public async Task Ingest_reads_files_into_the_store_once_and_search_finds_them()
    {
        var auditd = Directory.GetFiles(CollectionData.Require("security-datasets", "sh_arp_cache"), "*.log").Single();
        var cloudtrail = Directory.GetFiles(CollectionData.Require("security-datasets", "ec2_proxy_s3_exfiltration"), "*.json").Single();
        var s = await PrepareAsync();
        var syslog = Path.Combine(s.Data, "messages.log");
        await File.WriteAllTextAsync(syslog, "<34>Oct 11 22:14:15 gw sshd[4242]: Failed password for invalid user oracle from 198.51.100.7 port 40222 ssh2\n\u0001\u0002\u0003binary\u0004\n<13>Oct 11 22:14:16 gw cron[1]: ok\n");

        var first = await s.RunAsync("ingest", auditd, cloudtrail, syslog, "--collector", "relay");
        first.ExitCode.ShouldBe(0, first.ToString());
        var lines = File.ReadLines(auditd).Count(l => l.Trim().Length > 0) + File.ReadLines(cloudtrail).Count(l => l.Trim().Length > 0) + 3;
        first.Stdout.ShouldContain($"{lines} events read from 3 file(s)");
        first.Stdout.ShouldContain("1 pipeline errors");

        var again = await s.RunAsync("ingest", cloudtrail, "--collector", "relay");
        again.ExitCode.ShouldBe(0);
        again.Stdout.ShouldContain("already stored before");

        var search = await s.RunAsync("events", "search", "event.dataset:aws.cloudtrail", "--limit", "10000", "--output", "jsonl");
        search.ExitCode.ShouldBe(0, search.ToString());
        search.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(File.ReadLines(cloudtrail).Count(l => l.Trim().Length > 0), "ingesting the same file twice stores it once");

        var ssh = await s.RunAsync("events", "search", "user.name:oracle AND event.outcome:failure");
        ssh.ExitCode.ShouldBe(0);
        ssh.Stdout.ShouldContain("Failed password for invalid user oracle");
        ssh.Stderr.ShouldContain("1 of 1 matching events");

        var execve = await s.RunAsync("events", "search", "type:EXECVE AND process.args:arp", "--output", "jsonl");
        execve.Stdout.ShouldContain("\"process.command_line\":\"arp -a\"");

        var bad = await s.RunAsync("events", "search", "user.name:(oracle");
        bad.ExitCode.ShouldBe(2);
        bad.Stderr.ShouldContain("position 11");
        (await s.RunAsync("ingest", "/nonexistent/file.log", "--collector", "relay")).Stderr.ShouldContain("/nonexistent/file.log: no such file");
        var unknown = await s.RunAsync("ingest", syslog, "--collector", "nobody");
        unknown.ExitCode.ShouldBe(1);
        unknown.Stderr.ShouldContain("collector 'nobody' does not exist");
    }

    [SkippableFact]
    public async Task Ingest_reads_evtx_files()
    {
        var evtx = Directory.EnumerateFiles(CollectionData.Require("sigma", "regression_data"), "*.evtx", SearchOption.AllDirectories).Order().First();
        var s = await PrepareAsync();
        var result = await s.RunAsync("ingest", evtx, "--collector", "relay");
        result.ExitCode.ShouldBe(0, result.ToString());
        var count = int.Parse(result.Stdout.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        count.ShouldBeGreaterThan(0);
        var search = await s.RunAsync("events", "search", "_exists_:winlog.channel AND _exists_:event.code", "--output", "jsonl", "--limit", "10000");
        search.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(count);
    }

    [SkippableFact]
    public async Task Rules_are_imported_listed_disabled_and_enabled()
    {
        var linux = CollectionData.Require("sigma", "rules", "linux");
        var s = await PrepareAsync();
        var import = await s.RunAsync("rules", "import", linux);
        import.ExitCode.ShouldBe(0, import.ToString());
        var expected = Directory.GetFiles(linux, "*.yml", SearchOption.AllDirectories).Length;
        import.Stdout.ShouldStartWith($"{expected} rules added");
        (await s.RunAsync("rules", "import", linux)).Stdout.ShouldStartWith($"0 rules added, 0 updated, {expected} unchanged");

        var list = await s.RunAsync("rules", "list", "--output", "json");
        var rules = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToList();
        rules.Count.ShouldBe(expected);
        var id = rules[0].GetProperty("id").GetString()!;
        (await s.RunAsync("rules", "disable", id)).Stdout.ShouldContain("disabled");
        var disabled = JsonDocument.Parse((await s.RunAsync("rules", "list", "--disabled", "--output", "json")).Stdout).RootElement;
        disabled.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ShouldContain(id);
        (await s.RunAsync("rules", "enable", id)).Stdout.ShouldContain("enabled");
        var missing = await s.RunAsync("rules", "enable", "no-such-rule");
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldContain("rule 'no-such-rule' is not in the store");
        (await s.RunAsync("rules", "import", "/nonexistent")).ExitCode.ShouldBe(1);
    }

    [Fact]
    public async Task Syslog_listeners_receive_udp_tcp_and_tls_and_keep_bad_input_as_pipeline_errors()
    {
        var s = await PrepareAsync();
        var (cert, key) = WriteCertificate(s.Data);
        int tcp = VigieProcess.FreePort(), tls = VigieProcess.FreePort(), udp = FreeUdpPort(), http = VigieProcess.FreePort();
        var url = $"http://127.0.0.1:{http}";
        await using var serve = VigieProcess.Start(["serve", "--urls", url, "--syslog-tcp", $"127.0.0.1:{tcp}", "--syslog-udp", $"127.0.0.1:{udp}",
            "--syslog-tls", $"127.0.0.1:{tls}", "--tls-cert", cert, "--tls-key", key, "--syslog-collector", "relay", .. s.Store]);
        (await serve.WaitReadyAsync(url + "/readyz")).ShouldBeTrue(serve.Stderr + serve.Stdout);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, tcp);
            var stream = client.GetStream();
            var octet = "<165>1 2026-11-22T07:05:00.003Z tcp-host app 77 ID1 - octet counted over tcp";
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"<34>Nov 22 07:05:01 tcp-host sshd[1]: line feed over tcp\n{Encoding.UTF8.GetByteCount(octet)} {octet}"));
            await stream.WriteAsync(Encoding.UTF8.GetBytes("\n" + new string('X', 70_000) + "\n"));
            await stream.WriteAsync(new byte[] { 0x00, 0x01, 0xFF, 0xFE, 0x02, 0x0A });
            await stream.WriteAsync(Encoding.UTF8.GetBytes("<13>Nov 22 07:05:02 tcp-host app: after the garbage\n"));
        }
        using (var udpClient = new UdpClient())
            await udpClient.SendAsync(Encoding.UTF8.GetBytes("<14>Nov 22 07:05:03 udp-host app: over udp"), new IPEndPoint(IPAddress.Loopback, udp));
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, tls);
            await using var ssl = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            var message = "<13>1 2026-11-22T07:05:04Z tls-host app - - - over tls";
            await ssl.WriteAsync(Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(message)} {message}"));
            await ssl.FlushAsync();
        }

        using var admin = new HttpClient { BaseAddress = new Uri(url) };
        var token = await admin.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = Password });
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.ReadAsync()).GetProperty("access_token").GetString());
        async Task<JsonElement> Search(string q)
        {
            JsonElement body = default;
            for (var i = 0; i < 50; i++)
            {
                body = await (await admin.GetAsync("/api/v1/events?q=" + Uri.EscapeDataString(q))).ReadAsync();
                if (body.GetProperty("total").GetInt64() > 0)
                    break;
                await Task.Delay(100);
            }
            return body;
        }
        var lineFeed = (await Search("message:\"line feed over tcp\"")).GetProperty("events")[0];
        lineFeed.GetProperty("host.name").GetString().ShouldBe("tcp-host");
        lineFeed.GetProperty("organization.id").GetString().ShouldBe("CHU-S");
        lineFeed.GetProperty("agent.type").GetString().ShouldBe("syslog-tcp");
        lineFeed.GetProperty("log.syslog.severity.name").GetString().ShouldBe("crit");
        (await Search("log.syslog.procid:77 AND message:\"octet counted over tcp\"")).GetProperty("total").GetInt64().ShouldBe(1);
        (await Search("message:\"after the garbage\"")).GetProperty("total").GetInt64().ShouldBe(1);
        (await Search("host.name:udp-host AND agent.type:syslog-udp")).GetProperty("total").GetInt64().ShouldBe(1);
        (await Search("host.name:tls-host AND agent.type:syslog-tls")).GetProperty("total").GetInt64().ShouldBe(1);
        (await Search("tags:truncated")).GetProperty("total").GetInt64().ShouldBe(1);
        (await Search("event.kind:pipeline_error AND agent.type:syslog-tcp")).GetProperty("total").GetInt64().ShouldBe(1);
        var stats = await (await admin.GetAsync("/api/v1/ingest/stats")).ReadAsync();
        stats.GetProperty("truncated").GetInt64().ShouldBe(1);
        stats.GetProperty("udp_dropped").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Serve_refuses_syslog_listeners_without_a_collector_in_one_line()
    {
        var s = await PrepareAsync();
        var result = await VigieProcess.RunAsync(["serve", "--urls", $"http://127.0.0.1:{VigieProcess.FreePort()}", "--syslog-tcp", $"127.0.0.1:{VigieProcess.FreePort()}", .. s.Store], timeoutSeconds: 60);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.Trim().ShouldBe("vigie: syslog listeners need --syslog-collector NAME (or a syslog_sources map in the configuration) to know whose events they receive");
        var unknown = await VigieProcess.RunAsync(["serve", "--urls", $"http://127.0.0.1:{VigieProcess.FreePort()}", "--syslog-udp", "nowhere", "--syslog-collector", "relay", .. s.Store], timeoutSeconds: 60);
        unknown.ExitCode.ShouldBe(2);
        unknown.Stderr.ShouldContain("--syslog-udp 'nowhere' is not ADDR:PORT");
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    private static (string Cert, string Key) WriteCertificate(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var cert = Path.Combine(folder, "syslog.crt");
        var key = Path.Combine(folder, "syslog.key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }
}
