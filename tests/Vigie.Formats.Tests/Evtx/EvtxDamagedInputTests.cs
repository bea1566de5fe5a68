using System.Buffers.Binary;
using Vigie.Formats.Evtx;

namespace Vigie.Formats.Tests.Evtx;

/// <summary>
/// Damaged copies of real logs, built in memory for each test: the reader reports what is wrong (file, chunk,
/// offset, reason), skips it, and reads everything else.
/// </summary>
public sealed class EvtxDamagedInputTests
{
    private const string SevenRecords = "file_event_win_hktl_netexec_file_indicators/";
    private const string SixRecords = "file_event_win_cred_dump_tools_dropped_files/";

    private static (byte[] First, byte[] Second, int FirstCount, int SecondCount) TwoChunks()
    {
        var first = EvtxTestData.Chunks(EvtxTestData.RegressionFile(SevenRecords)).Single();
        var second = EvtxTestData.Chunks(EvtxTestData.RegressionFile(SixRecords)).Single();
        return (first, second, 7, 6);
    }

    private static List<string> Lines(IEnumerable<EvtxRecord> records) =>
        records.Select(r => r.ToJson().Replace(r.FileName, "", StringComparison.Ordinal)).ToList();

    [SkippableFact]
    public void A_file_made_of_chunks_of_several_logs_reads_every_record()
    {
        var (first, second, firstCount, secondCount) = TwoChunks();

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]));

        diagnostics.ShouldBeEmpty();
        records.Count.ShouldBe(firstCount + secondCount);
        records.Select(r => r.Chunk.Index).Distinct().ShouldBe([0, 1]);
    }

    [Fact]
    public void Not_an_evtx_file_is_refused_with_its_name_and_reason()
    {
        var e = Should.Throw<EvtxFormatException>(() => EvtxReader.Open(new MemoryStream("{\"EventID\": 4624}\n"u8.ToArray()), "events.json"));
        e.Message.ShouldBe("events.json: not an EVTX file (no \"ElfFile\" signature at offset 0)");
    }

    [Fact]
    public void An_empty_file_is_refused_as_empty()
    {
        var e = Should.Throw<EvtxFormatException>(() => EvtxReader.Open(new MemoryStream([]), "empty.evtx"));
        e.Message.ShouldContain("empty.evtx: empty file");
    }

    [SkippableFact]
    public void A_header_cut_short_is_refused_with_how_much_was_there()
    {
        var file = EvtxTestData.BuildFile([TwoChunks().First]).AsSpan(0, 100).ToArray();

        var e = Should.Throw<EvtxFormatException>(() => EvtxReader.Open(new MemoryStream(file), "cut.evtx"));
        e.Message.ShouldBe("cut.evtx: EVTX file cut short inside its header (100 of 128 bytes)");
    }

    [SkippableFact]
    public void A_file_ending_inside_its_header_block_has_no_chunk_and_says_so()
    {
        var file = EvtxTestData.BuildFile([TwoChunks().First]).AsSpan(0, 2000).ToArray();

        var (records, diagnostics) = EvtxTestData.ReadAll(file);

        records.ShouldBeEmpty();
        diagnostics.ShouldHaveSingleItem().Reason.ShouldContain("inside its 4096-byte header");
    }

    [SkippableFact]
    public void A_chunk_of_zeros_is_reported_and_the_next_chunk_is_read()
    {
        var (first, second, _, secondCount) = TwoChunks();
        Array.Clear(first);

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]));

        records.Count.ShouldBe(secondCount);
        var diagnostic = diagnostics.ShouldHaveSingleItem();
        diagnostic.ChunkIndex.ShouldBe(0);
        diagnostic.Offset.ShouldBe(4096);
        diagnostic.Reason.ShouldContain("all zeros");
    }

    [SkippableFact]
    public void A_bad_chunk_signature_is_reported_and_the_chunk_skipped()
    {
        var (first, second, firstCount, _) = TwoChunks();
        "NotChnk"u8.CopyTo(second);

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]));

        records.Count.ShouldBe(firstCount);
        diagnostics.ShouldHaveSingleItem().ToString().ShouldBe("test.evtx: chunk 1 (offset 0x11000): bad chunk signature (expected \"ElfChnk\")");
    }

    [SkippableFact]
    public void A_flipped_byte_in_record_data_fails_the_checksum_and_only_that_chunk_is_skipped()
    {
        var (first, second, _, secondCount) = TwoChunks();
        var expectedSecond = Lines(EvtxTestData.ReadAll(EvtxTestData.BuildFile([second])).Records);
        first[2000] ^= 0x20;

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]));

        var diagnostic = diagnostics.ShouldHaveSingleItem();
        diagnostic.ChunkIndex.ShouldBe(0);
        diagnostic.Reason.ShouldStartWith("event records checksum mismatch");
        records.Count.ShouldBe(secondCount);
        Lines(records).ShouldBe(expectedSecond);
    }

    [SkippableFact]
    public void A_flipped_byte_in_a_chunk_header_fails_the_header_checksum()
    {
        var (first, second, firstCount, _) = TwoChunks();
        second[10] ^= 0x01;

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]));

        records.Count.ShouldBe(firstCount);
        diagnostics.ShouldHaveSingleItem().Reason.ShouldStartWith("chunk header checksum mismatch");
    }

    [SkippableFact]
    public void Checksums_can_be_ignored_to_salvage_a_damaged_chunk()
    {
        var (first, second, firstCount, secondCount) = TwoChunks();
        first[2000] ^= 0x20;

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second]), new EvtxReaderOptions { ValidateChecksums = false });

        diagnostics.ShouldHaveSingleItem().Reason.ShouldStartWith("event records checksum mismatch");
        records.Count.ShouldBeGreaterThan(secondCount);
        records.Count.ShouldBeLessThanOrEqualTo(firstCount + secondCount);
    }

    [SkippableFact]
    public void A_record_whose_size_points_outside_its_chunk_is_reported_and_reading_resumes_at_the_next_record()
    {
        var (first, _, firstCount, _) = TwoChunks();
        BinaryPrimitives.WriteUInt32LittleEndian(first.AsSpan(512 + 4), 0x00F0_0000);
        EvtxTestData.FixChunkChecksums(first);

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first]));

        records.Count.ShouldBe(firstCount - 1);
        var diagnostic = diagnostics.ShouldHaveSingleItem();
        diagnostic.Offset.ShouldBe(4096 + 512);
        diagnostic.Reason.ShouldContain("runs outside the chunk's records");
        diagnostic.Reason.ShouldContain("reading resumes at offset");
    }

    [SkippableFact]
    public void A_template_referring_to_itself_fails_that_record_only()
    {
        var (first, _, firstCount, _) = TwoChunks();
        // Record 1: fragment header (4 bytes) then the template instance token; point its definition at the token itself.
        var instance = 512 + 24 + 4;
        first[instance].ShouldBe((byte)0x0C);
        BinaryPrimitives.WriteUInt32LittleEndian(first.AsSpan(instance + 6), (uint)instance);
        EvtxTestData.FixChunkChecksums(first);

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first]));

        records.Count.ShouldBe(firstCount - 1);
        var diagnostic = diagnostics.ShouldHaveSingleItem();
        diagnostic.RecordId.ShouldNotBeNull();
        diagnostic.Reason.ShouldStartWith("record at offset 0x200 skipped:");
    }

    [SkippableFact]
    public void An_absurd_value_count_fails_that_record_only()
    {
        var (first, _, firstCount, _) = TwoChunks();
        var instance = 512 + 24 + 4;
        var dataSize = BinaryPrimitives.ReadInt32LittleEndian(first.AsSpan(instance + 10 + 20));
        BinaryPrimitives.WriteUInt32LittleEndian(first.AsSpan(instance + 10 + 24 + dataSize), 0x7FFF_FFFF);
        EvtxTestData.FixChunkChecksums(first);

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first]));

        records.Count.ShouldBe(firstCount - 1);
        diagnostics.ShouldHaveSingleItem().Reason.ShouldContain("declares 2147483647 values");
    }

    [SkippableFact]
    public void A_file_cut_inside_a_chunk_keeps_the_records_before_the_cut()
    {
        var (first, second, firstCount, _) = TwoChunks();
        var file = EvtxTestData.BuildFile([first, second]);
        var secondRecordEnd = 4096 + 65536 + 512 + (2 * 1200);
        var cut = file.AsSpan(0, secondRecordEnd).ToArray();

        var (records, diagnostics) = EvtxTestData.ReadAll(cut);

        records.Count.ShouldBeGreaterThan(firstCount);
        records.Count.ShouldBeLessThan(firstCount + 6);
        diagnostics.ShouldContain(d => d.ChunkIndex == 1 && d.Reason.Contains("cut short", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_dirty_file_declaring_fewer_chunks_than_it_holds_is_read_to_the_end()
    {
        var (first, second, firstCount, secondCount) = TwoChunks();

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, second], flags: 1, declaredChunks: 1));

        diagnostics.ShouldBeEmpty();
        records.Count.ShouldBe(firstCount + secondCount);
        using var reader = EvtxReader.Open(new MemoryStream(EvtxTestData.BuildFile([first], flags: 1)), "dirty.evtx");
        reader.IsDirty.ShouldBeTrue();
    }

    [SkippableFact]
    public void A_file_cut_at_a_chunk_boundary_says_how_many_chunks_are_missing()
    {
        var (first, second, firstCount, _) = TwoChunks();
        var file = EvtxTestData.BuildFile([first, second]).AsSpan(0, 4096 + 65536).ToArray();

        var (records, diagnostics) = EvtxTestData.ReadAll(file);

        records.Count.ShouldBe(firstCount);
        diagnostics.ShouldHaveSingleItem().Reason.ShouldBe("the file ends after 1 chunks but its header declares 2: it may have been cut short");
    }

    [SkippableFact]
    public void Trailing_empty_chunks_beyond_the_declared_count_are_not_damage()
    {
        var (first, _, firstCount, _) = TwoChunks();

        var (records, diagnostics) = EvtxTestData.ReadAll(EvtxTestData.BuildFile([first, new byte[EvtxChunk.Size]], declaredChunks: 1));

        diagnostics.ShouldBeEmpty();
        records.Count.ShouldBe(firstCount);
    }
}
