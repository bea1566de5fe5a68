using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;
using Vigie.Formats.Syslog;

namespace Vigie.Server.Ingestion;

/// <summary>
/// Syslog receivers: UDP (one message per datagram), TCP (RFC 6587: octet counting or line feeds, told apart per
/// message) and TLS (RFC 5425). Events take the establishment of the collector named by <c>--syslog-collector</c>,
/// or of the collector that <c>syslog_sources</c> assigns to the sender's address. TCP and TLS readers wait when the
/// store falls behind (the sender's window fills: back-pressure); UDP cannot be slowed, so its drops are counted.
/// </summary>
internal sealed partial class SyslogListeners(IConfiguration configuration, EventWriter writer, EventSink sink, IngestStats stats,
    IServiceScopeFactory scopes, ILogger<SyslogListeners> logger) : IHostedService, IAsyncDisposable
{
    private const int BatchSize = 2000;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<IDisposable> _sockets = [];
    private readonly List<(IPNetwork Network, SourceCollector Collector)> _sources = [];
    private SourceCollector? _default;

    private sealed record SourceCollector(string Name, Guid EstablishmentId, string EstablishmentCode);

    /// <summary>The addresses actually bound (useful with port 0).</summary>
    public IPEndPoint? UdpEndpoint { get; private set; }
    public IPEndPoint? TcpEndpoint { get; private set; }
    public IPEndPoint? TlsEndpoint { get; private set; }

    public int MaxMessageBytes => configuration.GetValue<int?>("syslog_max_message") ?? 64 * 1024;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var udp = configuration["syslog_udp"];
        var tcp = configuration["syslog_tcp"];
        var tls = configuration["syslog_tls"];
        if (string.IsNullOrWhiteSpace(udp) && string.IsNullOrWhiteSpace(tcp) && string.IsNullOrWhiteSpace(tls))
            return;
        await ResolveCollectorsAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(udp))
        {
            var endpoint = ParseEndpoint("--syslog-udp", udp);
            var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            BindDualMode(socket, endpoint);
            socket.ReceiveBufferSize = 8 * 1024 * 1024;
            _sockets.Add(socket);
            UdpEndpoint = (IPEndPoint)socket.LocalEndPoint!;
            _loops.Add(Task.Run(() => UdpLoopAsync(socket, _stop.Token)));
            LogListening(logger, "UDP", UdpEndpoint.ToString());
        }
        if (!string.IsNullOrWhiteSpace(tcp))
        {
            var listener = Listen("--syslog-tcp", tcp);
            TcpEndpoint = (IPEndPoint)listener.LocalEndPoint!;
            _loops.Add(Task.Run(() => AcceptLoopAsync(listener, null, _stop.Token)));
            LogListening(logger, "TCP", TcpEndpoint.ToString());
        }
        if (!string.IsNullOrWhiteSpace(tls))
        {
            var certificate = LoadCertificate();
            var listener = Listen("--syslog-tls", tls);
            TlsEndpoint = (IPEndPoint)listener.LocalEndPoint!;
            _loops.Add(Task.Run(() => AcceptLoopAsync(listener, certificate, _stop.Token)));
            LogListening(logger, "TLS", TlsEndpoint.ToString());
        }
    }

    private X509Certificate2 LoadCertificate()
    {
        var cert = configuration["tls_cert"];
        var key = configuration["tls_key"];
        if (string.IsNullOrWhiteSpace(cert) || string.IsNullOrWhiteSpace(key))
            throw new Cli.CliException("--syslog-tls needs --tls-cert FILE and --tls-key FILE (PEM)", Cli.ExitCodes.Usage);
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(cert, key);
            // Re-import so that the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new Cli.CliException($"--tls-cert/--tls-key: cannot load the certificate and key ({e.Message.Split('\n')[0].Trim()})", Cli.ExitCodes.Usage);
        }
    }

    private Socket Listen(string flag, string text)
    {
        var endpoint = ParseEndpoint(flag, text);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        BindDualMode(socket, endpoint);
        socket.Listen(512);
        _sockets.Add(socket);
        return socket;
    }

    private static void BindDualMode(Socket socket, IPEndPoint endpoint)
    {
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = true;
            socket.Bind(endpoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new Cli.CliException($"cannot listen for syslog on {endpoint}: {e.Message}", Cli.ExitCodes.Unavailable);
        }
    }

    public static IPEndPoint ParseEndpoint(string flag, string text)
    {
        var t = text.Trim();
        if (int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bare) && bare is >= 0 and <= 65535)
            return new IPEndPoint(IPAddress.Any, bare);
        if (t.StartsWith("*:", StringComparison.Ordinal) || t.StartsWith("0.0.0.0:", StringComparison.Ordinal))
            t = "0.0.0.0:" + t[(t.IndexOf(':') + 1)..];
        if (IPEndPoint.TryParse(t, out var endpoint) && t.Contains(':', StringComparison.Ordinal))
            return endpoint;
        var colon = t.LastIndexOf(':');
        if (colon > 0 && t[..colon] == "localhost" && int.TryParse(t[(colon + 1)..], out var port))
            return new IPEndPoint(IPAddress.Loopback, port);
        throw new Cli.CliException($"{flag} '{text}' is not ADDR:PORT (e.g. 0.0.0.0:514, 127.0.0.1:6514)", Cli.ExitCodes.Usage);
    }

    private async Task ResolveCollectorsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigieDbContext>();
        async Task<SourceCollector> Find(string name, string what)
        {
            var collector = await db.Collectors.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, ct)
                ?? throw new Cli.CliException($"{what}: collector '{name}' does not exist (vigie collectors add --name {name} --establishment CODE)", Cli.ExitCodes.Usage);
            if (collector.RevokedAt is not null)
                throw new Cli.CliException($"{what}: collector '{name}' was revoked", Cli.ExitCodes.Usage);
            return new SourceCollector(collector.Name, collector.EstablishmentId, await sink.CodeOfAsync(collector.EstablishmentId, ct));
        }
        if (configuration["syslog_collector"] is { Length: > 0 } name)
            _default = await Find(name, "--syslog-collector");
        foreach (var source in configuration.GetSection("syslog_sources").GetChildren())
        {
            var address = source.Key.Contains('/', StringComparison.Ordinal) ? source.Key : source.Key + (source.Key.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (!IPNetwork.TryParse(address, out var network))
                throw new Cli.CliException($"syslog_sources: '{source.Key}' is not an address or CIDR network", Cli.ExitCodes.Usage);
            _sources.Add((network, await Find(source.Value ?? "", $"syslog_sources[{source.Key}]")));
        }
        if (_default is null && _sources.Count == 0)
            throw new Cli.CliException("syslog listeners need --syslog-collector NAME (or a syslog_sources map in the configuration) to know whose events they receive", Cli.ExitCodes.Usage);
    }

    private SourceCollector? CollectorFor(IPAddress? address)
    {
        if (address is not null && _sources.Count > 0)
        {
            if (address.IsIPv4MappedToIPv6)
                address = address.MapToIPv4();
            foreach (var (network, collector) in _sources)
            {
                if (network.Contains(address))
                    return collector;
            }
        }
        return _default;
    }

    private async Task UdpLoopAsync(Socket socket, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65536);
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var pending = new List<EventToStore>(BatchSize);
        SourceCollector? pendingCollector = null;
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var sender = (IPEndPoint)received.RemoteEndPoint;
            var collector = CollectorFor(sender.Address);
            if (collector is null)
            {
                stats.AddUdpDropped();
                continue;
            }
            if (pendingCollector is not null && pendingCollector != collector)
                FlushUdp(pending, pendingCollector);
            pendingCollector = collector;
            var data = buffer.AsSpan(0, received.ReceivedBytes);
            while (data.Length > 0 && data[^1] is (byte)'\n' or (byte)'\r' or 0)
                data = data[..^1];
            var context = new IngestContext(collector.EstablishmentId, collector.EstablishmentCode, collector.Name, "syslog-udp", DateTimeOffset.UtcNow, sender.Address.ToString());
            pending.Add(IngestBatchReader.ReadSyslog(data, context, truncated: false));
            if (pending.Count >= BatchSize || socket.Available == 0)
                FlushUdp(pending, collector);
        }
    }

    private void FlushUdp(List<EventToStore> pending, SourceCollector collector)
    {
        if (pending.Count == 0)
            return;
        stats.AddReceived(pending.Count);
        if (!writer.TryEnqueue(new EventBatch([.. pending], collector.Name), out _))
        {
            for (var i = 0; i < pending.Count; i++)
                stats.AddUdpDropped();
        }
        pending.Clear();
    }

    private async Task AcceptLoopAsync(Socket listener, X509Certificate2? certificate, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => ConnectionAsync(client, certificate, ct), ct);
        }
    }

    private async Task ConnectionAsync(Socket client, X509Certificate2? certificate, CancellationToken ct)
    {
        var remote = (IPEndPoint?)client.RemoteEndPoint;
        var collector = CollectorFor(remote?.Address);
        var transport = certificate is null ? "syslog-tcp" : "syslog-tls";
        await using var network = new NetworkStream(client, ownsSocket: true);
        if (collector is null)
            return;
        Stream stream = network;
        SslStream? ssl = null;
        try
        {
            if (certificate is not null)
            {
                ssl = new SslStream(network, leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                handshake.CancelAfter(TimeSpan.FromSeconds(30));
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                }, handshake.Token);
                stream = ssl;
            }
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
            var decoder = new SyslogFrameDecoder(MaxMessageBytes);
            var address = remote?.Address.ToString();
            while (!ct.IsCancellationRequested)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                var context = new IngestContext(collector.EstablishmentId, collector.EstablishmentCode, collector.Name, transport, DateTimeOffset.UtcNow, address);
                var pending = new List<EventToStore>(64);
                while (decoder.TryRead(ref buffer, result.IsCompleted, out var frame))
                {
                    if (frame.Truncated)
                        stats.AddTruncated();
                    pending.Add(frame.Data.IsSingleSegment
                        ? IngestBatchReader.ReadSyslog(frame.Data.FirstSpan, context, frame.Truncated)
                        : IngestBatchReader.ReadSyslog(frame.Data.ToArray(), context, frame.Truncated));
                    if (pending.Count >= BatchSize)
                    {
                        await SubmitAsync(pending, collector, ct);
                        pending = new List<EventToStore>(64);
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (pending.Count > 0)
                    await SubmitAsync(pending, collector, ct);
                if (result.IsCompleted)
                    break;
            }
            await reader.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // The peer went away, the handshake failed, or Vigie is stopping: what was read is queued.
        }
        finally
        {
            if (ssl is not null)
                await ssl.DisposeAsync();
        }
    }

    private async Task SubmitAsync(List<EventToStore> events, SourceCollector collector, CancellationToken ct)
    {
        stats.AddReceived(events.Count);
        // Serialised on the connection's thread, so that the single writer only inserts.
        foreach (var e in events)
            e.Json ??= e.Document.ToUtf8Json();
        // Waits for room in the queue: while it waits, this connection is not read, and TCP slows the sender.
        await writer.EnqueueAsync(new EventBatch(events, collector.Name), ct);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
            socket.Dispose();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Syslog listening over {Transport} on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string transport, string endpoint);
}
