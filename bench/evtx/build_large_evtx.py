#!/usr/bin/python3
"""Builds a large EVTX file for benchmarks from the chunks of real logs.

Chunks are self-contained (their own string and template tables), so chunks of different logs behind a new
file header make a valid file. The SigmaHQ samples hold one or two records per 64 KiB chunk, far sparser than
a real log; to reach realistic density, a chunk is filled with copies of those of its records that only refer
back to definitions stored earlier in the chunk (a template instance whose definition is not inline, also inside nested Binary XML), exactly how Windows fills a chunk with records of the same event types. Record identifiers are
renumbered, and the chunk header and both CRC-32 checksums are rewritten.

usage: build_large_evtx.py OUTPUT RECORDS SOURCE_DIR...
"""
import os
import struct
import sys
import zlib

CHUNK = 65536
HEADER = 4096


def crc(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def records_of(chunk):
    free = struct.unpack_from("<I", chunk, 48)[0]
    offset, out = 512, []
    while offset + 24 <= min(free, CHUNK):
        signature, size = struct.unpack_from("<II", chunk, offset)
        if signature != 0x2A2A or size < 28 or offset + size > CHUNK:
            break
        out.append((offset, size))
        offset += size
    return out


def copyable(chunk, offset, size):
    """A record that refers only backwards (templates defined earlier, also in nested Binary XML) can be copied later in its chunk."""
    return refers_back(chunk, offset + 24, offset + size - 4, 0)


def refers_back(chunk, pos, end, depth):
    if depth > 4 or chunk[pos:pos + 4] != b"\x0f\x01\x01\x00" or chunk[pos + 4] != 0x0C:
        return False
    token = pos + 4
    if struct.unpack_from("<I", chunk, token + 6)[0] == token + 10:
        return False
    count = struct.unpack_from("<I", chunk, token + 10)[0]
    if count > 1000:
        return False
    value = token + 14 + 4 * count
    for i in range(count):
        size, kind = struct.unpack_from("<HB", chunk, token + 14 + 4 * i)
        if kind == 0x21 and not refers_back(chunk, value, value + size, depth + 1):
            return False
        value += size
    return value <= end


def densify(chunk):
    chunk = bytearray(chunk)
    records = records_of(chunk)
    candidates = [r for r in records[1:] if copyable(chunk, *r)]
    if not candidates:
        return None
    end = records[-1][0] + records[-1][1]
    last = records[-1][0]
    i = 0
    while True:
        offset, size = candidates[i % len(candidates)]
        if end + size > CHUNK:
            break
        chunk[end:end + size] = chunk[offset:offset + size]
        last = end
        end += size
        i += 1
    return chunk, end, last


def finish(chunk, first_id, end, last):
    count = len(records_of(chunk)) if end is None else None
    offset, record_id = 512, first_id
    while offset + 24 <= (end or struct.unpack_from("<I", chunk, 48)[0]):
        signature, size = struct.unpack_from("<II", chunk, offset)
        if signature != 0x2A2A or size < 28:
            break
        struct.pack_into("<Q", chunk, offset + 8, record_id)
        record_id += 1
        offset += size
    if end is not None:
        struct.pack_into("<I", chunk, 44, last)
        struct.pack_into("<I", chunk, 48, end)
        chunk[end:] = bytes(CHUNK - end)
    struct.pack_into("<QQQQ", chunk, 8, first_id, record_id - 1, first_id, record_id - 1)
    free = struct.unpack_from("<I", chunk, 48)[0]
    struct.pack_into("<I", chunk, 52, crc(bytes(chunk[512:free])))
    struct.pack_into("<I", chunk, 124, crc(bytes(chunk[:120]) + bytes(chunk[128:512])))
    return bytes(chunk), record_id - first_id


def main():
    output, target, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    files = sorted(os.path.join(d, f) for s in sources for d, _, fs in os.walk(s) for f in fs if f.lower().endswith(".evtx"))
    originals, dense = [], []
    for path in files:
        data = open(path, "rb").read()
        for at in range(HEADER, len(data) - CHUNK + 1, CHUNK):
            chunk = data[at:at + CHUNK]
            if chunk[:8] != b"ElfChnk\x00":
                continue
            originals.append(chunk)
            made = densify(chunk)
            if made:
                dense.append(made)
    if not dense:
        sys.exit("no chunk with copyable records among the sources")
    total, chunks, next_id = 0, 0, 1
    with open(output, "wb") as out:
        out.write(bytes(HEADER))
        for chunk in originals:  # every real chunk once, as it is (renumbered)
            data, n = finish(bytearray(chunk), next_id, None, None)
            out.write(data)
            next_id += n
            total += n
            chunks += 1
        i = 0
        while total < target:
            chunk, end, last = dense[i % len(dense)]
            data, n = finish(bytearray(chunk), next_id, end, last)
            out.write(data)
            next_id += n
            total += n
            chunks += 1
            i += 1
        header = bytearray(128)
        header[0:8] = b"ElfFile\x00"
        struct.pack_into("<QQQIHHHH", header, 8, 0, chunks - 1, next_id, 128, 1, 3, HEADER, chunks & 0xFFFF)
        struct.pack_into("<I", header, 124, crc(bytes(header[:120])))
        out.seek(0)
        out.write(header)
    print(f"{output}: {chunks} chunks, {total} records ({len(originals)} real chunks, {len(dense)} densified kinds)")


if __name__ == "__main__":
    main()
