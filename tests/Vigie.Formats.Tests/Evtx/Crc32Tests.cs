using System.Text;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

public sealed class Crc32Tests
{
    [Fact]
    public void Check_value_of_the_IEEE_CRC32_is_cbf43926()
    {
        Crc32.Compute(Encoding.ASCII.GetBytes("123456789")).ShouldBe(0xCBF43926u);
    }

    [Fact]
    public void Folded_and_table_computations_agree_on_every_length()
    {
        var random = new Random(7);
        var data = new byte[70_000];
        random.NextBytes(data);
        foreach (var length in new[] { 0, 1, 15, 16, 63, 64, 65, 100, 127, 128, 129, 511, 4096, 65_024, 70_000 })
        {
            var span = data.AsSpan(0, length);
            Crc32.Compute(span).ShouldBe(~Crc32.UpdateTable(~0u, span), $"length {length}");
        }
        for (var i = 0; i < 200; i++)
        {
            var start = random.Next(100);
            var span = data.AsSpan(start, random.Next(data.Length - start));
            Crc32.Compute(span).ShouldBe(~Crc32.UpdateTable(~0u, span));
        }
    }
}
