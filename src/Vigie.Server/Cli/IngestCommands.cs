using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigie.Core.Data;
using Vigie.Core.Events;
using Vigie.Core.Ingestion;
using Vigie.Formats.Evtx;

namespace Vigie.Server.Cli;

/// <summary>
/// <c>vigie ingest FILE… --collector NAME</c>: reads files into the same store as <c>serve</c>. Each batch of a file
/// carries an idempotency key made of the file's hash and the batch number, so ingesting the same file twice
/// stores its events once. Detection runs in <c>serve</c>, which follows the store.
/// </summary>
internal static class IngestCommands
{
    private const int BatchSize = 5000;

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Files to read: JSON lines (any JSON events, Suricata EVE), syslog lines, auditd logs, EVTX.", Arity = ArgumentArity.OneOrMore };
        var collector = new Option<string>("--collector") { Required = true, Description = "The collector (hence the establishment) the events belong to.", HelpName = "NAME" };
        var format = new Option<string>("--format") { Description = "auto (default: by extension and content), jsonl, syslog, evtx, eve.", DefaultValueFactory = _ => "auto", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("auto", "jsonl", "syslog", "evtx", "eve");
        var command = new Command("ingest", "Read event files into the store, with progress; bad lines are stored as pipeline errors with their reason.") { files, collector, format };
        var store = StoreOptions.AddTo(command);
        store.SetAction(command, async (parse, sp, ct) =>
        {
            var paths = parse.GetValue(files)!;
            foreach (var path in paths)
            {
                if (!File.Exists(path))
                    throw new CliException($"{path}: no such file");
            }
            var name = parse.GetValue(collector)!;
            var db = sp.GetRequiredService<VigieDbContext>();
            var found = await db.Collectors.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, ct)
                ?? throw new CliException($"collector '{name}' does not exist (vigie collectors add --name {name} --establishment CODE)");
            if (found.RevokedAt is not null)
                throw new CliException($"collector '{name}' was revoked");
            var sink = sp.GetRequiredService<EventSink>();
            var code = await sink.CodeOfAsync(found.EstablishmentId, ct);
            var writer = sp.GetRequiredService<EventWriter>();
            var progress = new Progress(paths.Sum(p => new FileInfo(p).Length));
            long total = 0, errors = 0, duplicates = 0;
            foreach (var path in paths)
            {
                var context = new IngestContext(found.EstablishmentId, code, found.Name, "file", DateTimeOffset.UtcNow, null);
                var kind = Detect(path, parse.GetValue(format)!);
                var hash = await HashAsync(path, ct);
                var pending = new List<Task<bool>>();
                var batchNumber = 0;
                foreach (var (batch, bytes) in Read(path, kind, context))
                {
                    ct.ThrowIfCancellationRequested();
                    var key = $"file:{hash}:{batchNumber++}";
                    pending.Add(await writer.EnqueueAsync(new EventBatch(batch, found.Name, key), ct));
                    total += batch.Count;
                    errors += batch.Count(e => e.Document.GetText(EventFields.Kind) == EventFields.PipelineError);
                    progress.Advance(bytes, total);
                }
                foreach (var stored in pending)
                {
                    if (!await stored)
                        duplicates++;
                }
            }
            progress.Done(total);
            Console.WriteLine($"{total} events read from {paths.Length} file(s) in {progress.Elapsed.TotalSeconds:0.0} s: {errors} pipeline errors"
                + (duplicates > 0 ? $", {duplicates} batches already stored before (not stored again)" : ""));
            return ExitCodes.Ok;
        });
        return command;
    }

    private enum Kind
    {
        Jsonl,
        Syslog,
        Auditd,
        Evtx,
    }

    private static Kind Detect(string path, string format)
    {
        switch (format)
        {
            case "jsonl" or "eve":
                return Kind.Jsonl;
            case "syslog":
                return Kind.Syslog;
            case "evtx":
                return Kind.Evtx;
        }
        if (path.EndsWith(".evtx", StringComparison.OrdinalIgnoreCase) || EvtxReader.HasEvtxSignature(path))
            return Kind.Evtx;
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? line;
        while ((line = reader.ReadLine()) is not null && line.Trim().Length == 0)
        {
        }
        if (line is null)
            return Kind.Jsonl;
        var t = line.TrimStart('\uFEFF', ' ');
        if (t.StartsWith('{') || t.StartsWith('['))
            return Kind.Jsonl;
        return IngestBatchReader.LooksLikeAudit(t) ? Kind.Auditd : Kind.Syslog;
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct))[..32];
    }

    private static IEnumerable<(List<EventToStore> Batch, long Bytes)> Read(string path, Kind kind, IngestContext context)
    {
        if (kind == Kind.Evtx)
        {
            foreach (var item in ReadEvtx(path, context))
                yield return item;
            yield break;
        }
        using var stream = File.OpenRead(path);
        var batch = new List<EventToStore>(BatchSize);
        var line = 0;
        long consumed = 0;
        foreach (var bytes in Lines(stream))
        {
            line++;
            consumed += bytes.Length + 1;
            var span = bytes.AsSpan();
            if (span.Length > 0 && span[^1] == '\r')
                span = span[..^1];
            if (line == 1 && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                span = span[3..];
            if (span.Trim((byte)' ').IsEmpty)
                continue;
            var received = context with { Received = DateTimeOffset.UtcNow };
            switch (kind)
            {
                case Kind.Jsonl:
                    var e = IngestBatchReader.ReadJsonLine(span, line, received, out var error);
                    if (error is not null)
                        e[EventFields.ErrorMessage] = $"{Path.GetFileName(path)} line {line}: {error}";
                    batch.Add(new EventToStore(e.Timestamp, context.EstablishmentId, e));
                    break;
                case Kind.Auditd:
                    batch.Add(IngestBatchReader.ReadAuditLine(Encoding.UTF8.GetString(span), received));
                    break;
                default:
                    batch.Add(IngestBatchReader.ReadSyslog(span, received, truncated: false));
                    break;
            }
            if (batch.Count >= BatchSize)
            {
                yield return (batch, consumed);
                consumed = 0;
                batch = new List<EventToStore>(BatchSize);
            }
        }
        if (batch.Count > 0)
            yield return (batch, consumed);
    }

    /// <summary>Lines of a stream as byte arrays (a line longer than the JSON limit is cut there and reported by the reader).</summary>
    private static IEnumerable<byte[]> Lines(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != '\n')
                    continue;
                line.Write(buffer, start, i - start);
                yield return line.ToArray();
                line.SetLength(0);
                start = i + 1;
            }
            if (line.Length + (n - start) <= IngestBatchReader.MaxLineBytes + 1)
                line.Write(buffer, start, n - start);
        }
        if (line.Length > 0)
            yield return line.ToArray();
    }

    private static IEnumerable<(List<EventToStore> Batch, long Bytes)> ReadEvtx(string path, IngestContext context)
    {
        EvtxReader reader;
        try
        {
            reader = EvtxReader.Open(path);
        }
        catch (Exception e) when (e is IOException or EvtxFormatException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        using (reader)
        {
            var batch = new List<EventToStore>(BatchSize);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
            var size = new FileInfo(path).Length;
            long reported = 0;
            foreach (var record in reader.ReadRecords())
            {
                var e = IngestBatchReader.ReadEvtxRecord(record, buffer, batch.Count + 1, context with { Received = DateTimeOffset.UtcNow });
                batch.Add(new EventToStore(e.Timestamp, context.EstablishmentId, e));
                if (batch.Count >= BatchSize)
                {
                    var at = Math.Min(size, record.FileOffset);
                    yield return (batch, at - reported);
                    reported = at;
                    batch = new List<EventToStore>(BatchSize);
                }
            }
            foreach (var diagnostic in reader.Diagnostics)
                Console.Error.WriteLine($"vigie: {path}: {diagnostic}");
            if (batch.Count > 0)
                yield return (batch, size - reported);
        }
    }

    /// <summary>A progress bar on standard error: redrawn in place on a terminal, a line every few seconds otherwise.</summary>
    private sealed class Progress(long totalBytes)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private long _bytes;
        private TimeSpan _last = TimeSpan.FromSeconds(-10);
        private bool _drawn;

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Advance(long bytes, long events)
        {
            _bytes += bytes;
            var now = _clock.Elapsed;
            if (now - _last < (_terminal ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5)))
                return;
            Draw(events);
        }

        private void Draw(long events)
        {
            var now = _clock.Elapsed;
            _last = now;
            _drawn = true;
            var share = totalBytes == 0 ? 1.0 : Math.Min(1.0, (double)_bytes / totalBytes);
            var bar = new string('#', (int)(share * 30)).PadRight(30, '-');
            var line = $"[{bar}] {share * 100,5:0.0}%  {events:N0} events  {events / Math.Max(0.001, now.TotalSeconds):N0}/s";
            if (_terminal)
                Console.Error.Write("\r" + line);
            else
                Console.Error.WriteLine(line);
        }

        public void Done(long events)
        {
            if (!_drawn)
                return;
            _bytes = totalBytes;
            Draw(events);
            if (_terminal)
                Console.Error.WriteLine();
        }
    }
}
