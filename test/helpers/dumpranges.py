#!/usr/bin/env python3
"""Independent minimal dump parser for tests (shares no code with src/formats).

Prints JSON: {"format", "memory": [[fileStart, fileEnd, vaddrHex]], "structure": [[start, end]]}
for a minidump (MemoryList / Memory64List; header, directory, list descriptors) or an ELF core
(PT_LOAD file ranges; ELF header, program headers, note headers+names).
"""
import json
import struct
import sys


def minidump(d):
    mem, structure = [], [[0, 32]]
    _, _, n, dir_rva = struct.unpack_from('<4sIII', d, 0)
    n = min(n, max(0, (len(d) - dir_rva) // 12))
    structure.append([dir_rva, dir_rva + 12 * n])
    for i in range(n):
        typ, size, rva = struct.unpack_from('<III', d, dir_rva + 12 * i)
        if rva + size > len(d) or size < 4:
            continue
        if typ == 5:  # MemoryList: count, [padding on old macOS], 16-byte descriptors
            cnt = struct.unpack_from('<I', d, rva)[0]
            first = rva + 8 if size == 8 + 16 * cnt else rva + 4
            cnt = min(cnt, (rva + size - first) // 16)
            structure.append([rva, first + 16 * cnt])
            for k in range(cnt):
                va, ln, off = struct.unpack_from('<QII', d, first + 16 * k)
                if ln and off + ln <= len(d):
                    mem.append([off, off + ln, hex(va)])
        elif typ == 9:  # Memory64List: count, base rva, (va, size) pairs; data contiguous
            cnt, base = struct.unpack_from('<QQ', d, rva)
            cnt = min(cnt, (size - 16) // 16)
            structure.append([rva, rva + 16 + 16 * cnt])
            for k in range(cnt):
                va, ln = struct.unpack_from('<QQ', d, rva + 16 + 16 * k)
                if ln and base + ln <= len(d):
                    mem.append([base, base + ln, hex(va)])
                base += ln
        elif typ in (3, 4):  # ThreadList / ModuleList descriptors
            cnt = struct.unpack_from('<I', d, rva)[0]
            es = 48 if typ == 3 else 108
            first = rva + 8 if size == 8 + es * cnt else rva + 4
            cnt = min(cnt, (rva + size - first) // es)
            structure.append([rva, first + es * cnt])
    return {'format': 'minidump', 'memory': mem, 'structure': structure}


def elf(d):
    is64 = d[4] == 2
    e = '<' if d[5] == 1 else '>'
    if is64:
        phoff, = struct.unpack_from(e + 'Q', d, 32)
        phentsize, phnum = struct.unpack_from(e + 'HH', d, 54)
        structure = [[0, 64]]
    else:
        phoff, = struct.unpack_from(e + 'I', d, 28)
        phentsize, phnum = struct.unpack_from(e + 'HH', d, 42)
        structure = [[0, 52]]
    structure.append([phoff, phoff + phentsize * phnum])
    mem = []
    for i in range(phnum):
        at = phoff + i * phentsize
        if is64:
            typ, _, off, va, _, filesz = struct.unpack_from(e + 'IIQQQQ', d, at)
        else:
            typ, off, va, _, filesz = struct.unpack_from(e + 'IIIII', d, at)
        if typ == 1 and filesz:
            mem.append([off, off + filesz, hex(va)])
        elif typ == 4:
            pos, end = off, off + filesz
            while pos + 12 <= end:
                namesz, descsz, _ = struct.unpack_from(e + 'III', d, pos)
                desc = pos + 12 + ((namesz + 3) & ~3)
                structure.append([pos, desc])
                pos = desc + ((descsz + 3) & ~3)
    return {'format': 'elf-core', 'memory': mem, 'structure': structure}


def main():
    d = open(sys.argv[1], 'rb').read()
    out = minidump(d) if d[:4] == b'MDMP' else elf(d) if d[:4] == b'\x7fELF' else {'format': 'raw', 'memory': [], 'structure': []}
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
