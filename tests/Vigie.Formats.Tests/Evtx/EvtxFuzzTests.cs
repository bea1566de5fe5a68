using System.Text.Json;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Random damage to real logs (flipped bytes, overwritten runs, cuts), with checksums ignored so that the damage
/// reaches the Binary XML parser: no exception may escape, and every record read must still render as valid JSON.
/// </summary>
public sealed class EvtxFuzzTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_mutations_never_escape_as_exceptions(int seed)
    {
        var files = EvtxTestData.RegressionFiles();
        var random = new Random(seed);
        var options = new EvtxReaderOptions { ValidateChecksums = false };
        var read = 0;
        for (var iteration = 0; iteration < 1000; iteration++)
        {
            var original = File.ReadAllBytes(files[random.Next(files.Count)]);
            var mutated = Mutate(original, random);
            try
            {
                using var reader = EvtxReader.Open(new MemoryStream(mutated), $"mutation-{seed}-{iteration}.evtx", options);
                foreach (var record in reader.ReadRecords())
                {
                    var json = record.ToJson();
                    JsonDocument.Parse(json).Dispose();
                    var line = new System.Buffers.ArrayBufferWriter<byte>();
                    record.WriteJsonLine(line);
                    System.Text.Encoding.UTF8.GetString(line.WrittenSpan).ShouldBe(json + "\n");
                    foreach (var field in record.Fields)
                        _ = field.ToString();
                    read++;
                }
                foreach (var diagnostic in reader.Diagnostics)
                    diagnostic.Reason.ShouldNotBeNullOrWhiteSpace();
            }
            catch (EvtxFormatException)
            {
                // The mutation broke the file signature or cut the header: refused at open, as documented.
            }
        }
        read.ShouldBeGreaterThan(0);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0: // flip a few bytes in the records area
                for (var i = random.Next(1, 8); i > 0; i--)
                    data[4096 + 512 + random.Next(data.Length - 4096 - 512)] ^= (byte)(1 << random.Next(8));
                break;
            case 1: // overwrite a run with random bytes
                var start = 4096 + 512 + random.Next(data.Length - 4096 - 1024);
                random.NextBytes(data.AsSpan(start, random.Next(1, 256)));
                break;
            case 2: // damage structural values: sizes and offsets near the start of the first record
                for (var i = random.Next(1, 4); i > 0; i--)
                    data[4096 + 512 + random.Next(200)] = (byte)random.Next(256);
                break;
            case 3: // damage the file or chunk header: counts, offsets, sizes
                for (var i = random.Next(1, 4); i > 0; i--)
                    data[random.Next(2) == 0 ? random.Next(128) : 4096 + 8 + random.Next(504)] = (byte)random.Next(256);
                break;
            default: // cut the file anywhere
                return data.AsSpan(0, random.Next(data.Length)).ToArray();
        }
        return data;
    }
}
