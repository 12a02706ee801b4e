#!/usr/bin/env python3
"""Print the G.711 golden data that test_rtp checks mohq::rtp's codec against (see README.md).

The reference is Python's audioop module (CPython 3.11/3.12; audioop-lts on 3.13+), which implements the
Sun g711.c algorithm. Output: every decode (256 codes per law) and every encode (65536 inputs per law),
the encodes written as ranges of consecutive inputs that give the same code, since encoding is monotonic.
"""
import struct
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop is deprecated, not wrong
    import audioop

LAWS = {
    "alaw": (audioop.lin2alaw, audioop.alaw2lin),
    "ulaw": (audioop.lin2ulaw, audioop.ulaw2lin),
}
ALL_INPUTS = range(-32768, 32768)


def encode_ranges(encode):
    codes = encode(struct.pack("<65536h", *ALL_INPUTS), 2)
    ranges = []  # [first, last, code]
    for sample, code in zip(ALL_INPUTS, codes):
        if ranges and ranges[-1][2] == code:
            ranges[-1][1] = sample
        else:
            ranges.append([sample, sample, code])
    # Self-check: the ranges expand back to exactly audioop's 65536 codes.
    expanded = bytes(code for first, last, code in ranges for _ in range(first, last + 1))
    assert expanded == codes, "range encoding lost information"
    return ranges


def main(out):
    out.write("# G.711 golden data from Python's audioop (Sun g711.c algorithm).\n")
    out.write("# Regenerate: see tests/rtp/README.md. Do not edit by hand.\n")
    out.write("# decode <law> <code hex> <linear>: all 256 codes of each law\n")
    out.write("# encode <law> <first> <last> <code hex>: every linear input first..last gives code;\n")
    out.write("#   each law's ranges cover -32768..32767 in ascending order without gaps\n")
    for law, (encode, decode) in LAWS.items():
        for code in range(256):
            (linear,) = struct.unpack("<h", decode(bytes([code]), 2))
            out.write("decode %s %02x %d\n" % (law, code, linear))
        for first, last, code in encode_ranges(encode):
            out.write("encode %s %d %d %02x\n" % (law, first, last, code))


if __name__ == "__main__":
    main(sys.stdout)
