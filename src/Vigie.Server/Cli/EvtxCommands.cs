using System.Buffers;
using System.CommandLine;
using Vigie.Formats.Evtx;

namespace Vigie.Server.Cli;

/// <summary><c>vigie evtx …</c>: Windows event logs read natively.</summary>
internal static class EvtxCommands
{
    public static Command Create()
    {
        var evtx = new Command("evtx", "Read Windows event logs (.evtx) natively, without any external tool.");
        evtx.Subcommands.Add(CreateDump());
        return evtx;
    }

    private static Command CreateDump()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "The .evtx files to read; a folder is searched recursively for *.evtx files.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output")
        {
            Description = "Output format: jsonl, one JSON object per record: {\"file\", \"record_id\", \"timestamp\", \"event\": {\"System\", \"EventData\" or \"UserData\"}}.",
            DefaultValueFactory = _ => "jsonl",
        };
        output.AcceptOnlyFromAmong("jsonl");
        var dump = new Command("dump", "Print every record of EVTX files as JSON lines on standard output; damaged parts are reported on standard error and skipped.");
        dump.Arguments.Add(files);
        dump.Options.Add(output);
        dump.SetAction((parse, cancellation) => DumpAsync(parse.GetValue(files) ?? [], cancellation));
        return dump;
    }

    /// <summary>One chunk's records rendered as JSON lines, ready to be written in file order.</summary>
    private sealed record RenderedChunk(byte[] Buffer, int Length, int Records, IReadOnlyList<EvtxDiagnostic> Diagnostics, string? Failure);

    private static async Task<int> DumpAsync(string[] inputs, CancellationToken cancellation)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var problems = 0;
        var unreadable = 0;
        long records = 0;
        var files = ExpandInputs(inputs, ref problems, ref unreadable);
        await using var stdout = Console.OpenStandardOutput();
        // Chunks are parsed and rendered in parallel (EvtxReader.ReadChunksAhead); its window keeps output in file order
        // and memory bounded.
        var window = Math.Max(2, Environment.ProcessorCount * 2);

        async Task<bool> WriteAsync(RenderedChunk rendered)
        {
            try
            {
                await stdout.WriteAsync(rendered.Buffer.AsMemory(0, rendered.Length), cancellation).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return false; // the reader of our output went away (a closed pipe): stop quietly.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rendered.Buffer);
            }
            records += rendered.Records;
            foreach (var diagnostic in rendered.Diagnostics)
            {
                problems++;
                await Console.Error.WriteLineAsync($"vigie: warning: {diagnostic}").ConfigureAwait(false);
            }
            if (rendered.Failure is not null)
            {
                problems++;
                await Console.Error.WriteLineAsync($"vigie: warning: {rendered.Failure}").ConfigureAwait(false);
            }
            return true;
        }

        foreach (var file in files)
        {
            EvtxReader reader;
            try
            {
                reader = EvtxReader.Open(file);
            }
            catch (Exception e) when (e is EvtxFormatException or IOException or UnauthorizedAccessException)
            {
                unreadable++;
                await Console.Error.WriteLineAsync($"vigie: {(e is EvtxFormatException ? e.Message : $"{file}: {e.Message}")}").ConfigureAwait(false);
                continue;
            }
            using (reader)
            {
                foreach (var diagnostic in reader.Diagnostics)
                {
                    problems++;
                    await Console.Error.WriteLineAsync($"vigie: warning: {diagnostic}").ConfigureAwait(false);
                }
                IEnumerator<RenderedChunk> rendered;
                try
                {
                    rendered = reader.ReadChunksAhead(Render, window, cancellation).GetEnumerator();
                }
                catch (IOException e)
                {
                    unreadable++;
                    await Console.Error.WriteLineAsync($"vigie: {file}: {e.Message}").ConfigureAwait(false);
                    continue;
                }
                using (rendered)
                {
                    while (true)
                    {
                        try
                        {
                            if (!rendered.MoveNext())
                                break;
                        }
                        catch (IOException e)
                        {
                            problems++;
                            await Console.Error.WriteLineAsync($"vigie: warning: {file}: read error, the rest of the file is skipped: {e.Message}").ConfigureAwait(false);
                            break;
                        }
                        if (!await WriteAsync(rendered.Current).ConfigureAwait(false))
                            return ExitCodes.Ok;
                    }
                }
            }
        }

        if (problems > 0 || unreadable > 0)
            await Console.Error.WriteLineAsync(
                $"vigie: evtx dump: {files.Count - unreadable} of {files.Count} files read, {records} records, {problems} problems, {started.Elapsed.TotalSeconds:0.0} s").ConfigureAwait(false);
        // Non-zero only when nothing at all could be read.
        return records == 0 && (unreadable > 0 || problems > 0 || files.Count == 0) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static RenderedChunk Render(EvtxChunk chunk)
    {
        var records = chunk.ReadRecords();
        var buffer = new PooledBuffer(Math.Max(4096, records.Count * 1536));
        string? failure = null;
        var written = 0;
        foreach (var record in records)
        {
            var mark = buffer.Length;
            try
            {
                record.WriteJsonLine(buffer);
                written++;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                buffer.Length = mark;
                failure = $"{chunk.FileName}: chunk {chunk.Index}, record {record.RecordId}: cannot be written as JSON ({e.Message}); skipped";
            }
        }
        return new RenderedChunk(buffer.Detach(), buffer.Length, written, chunk.Diagnostics, failure);
    }

    private static List<string> ExpandInputs(string[] inputs, ref int problems, ref int unreadable)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*.evtx", new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true })
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    problems++;
                    Console.Error.WriteLine($"vigie: warning: {input}: no .evtx file in this folder");
                }
                files.AddRange(found);
            }
            else if (File.Exists(input))
                files.Add(input);
            else
            {
                unreadable++;
                Console.Error.WriteLine($"vigie: {input}: no such file or folder");
            }
        }
        return files;
    }

    /// <summary>A growable byte buffer on pooled arrays, handed whole to the writer task once a chunk is rendered.</summary>
    private sealed class PooledBuffer(int initialSize) : IBufferWriter<byte>
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

        public int Length { get; set; }

        public void Advance(int count) => Length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(Length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(Length);
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        private void Ensure(int sizeHint)
        {
            if (_buffer.Length - Length >= Math.Max(sizeHint, 256))
                return;
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + Math.Max(sizeHint, 256)));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        public byte[] Detach() => _buffer;
    }
}
