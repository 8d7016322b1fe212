// Minidump (Windows, Breakpad, Crashpad): stream directory, memory ranges, threads, modules.
// Structural = header, directory, list counts and descriptors, string lengths, fixed-layout
// metadata streams; memory contents, string payloads and register values stay redactable.
import type { FormatInfo } from '../types.js';
import { Collector } from './collect.js';
import { Bytes, Truncated, hex, cmp, lastAtOrBelow } from './reader.js';

export const MDMP_SIGNATURE = 0x504d444d;
const MAX_STREAMS = 65_536;
const MAX_LIST = 1 << 20;
const MAX_STRING = 1 << 16;

const STREAM_NAMES: Record<number, string> = {
  3: 'ThreadList', 4: 'ModuleList', 5: 'MemoryList', 6: 'Exception', 7: 'SystemInfo',
  8: 'ThreadExList', 9: 'Memory64List', 10: 'CommentStreamA', 11: 'CommentStreamW',
  12: 'HandleData', 13: 'FunctionTable', 14: 'UnloadedModuleList', 15: 'MiscInfo',
  16: 'MemoryInfoList', 17: 'ThreadInfoList', 18: 'HandleOperationList', 19: 'Token',
  20: 'JavaScriptData', 21: 'SystemMemoryInfo', 22: 'ProcessVmCounters', 23: 'IptTrace',
  24: 'ThreadNames',
  0x43500001: 'CrashpadInfo',
  0x47670001: 'BreakpadInfo', 0x47670002: 'AssertionInfo', 0x47670003: 'LinuxCpuInfo',
  0x47670004: 'LinuxProcStatus', 0x47670005: 'LinuxLsbRelease', 0x47670006: 'LinuxCmdLine',
  0x47670007: 'LinuxEnviron', 0x47670008: 'LinuxAuxv', 0x47670009: 'LinuxMaps',
  0x4767000a: 'LinuxDsoDebug',
  0x4d7a0001: 'MozMacosCrashInfo', 0x4d7a0002: 'MozMacosBootargs', 0x4d7a0003: 'MozLinuxLimits',
  0x4d7a0004: 'MozSoftErrors',
};

/** Fixed-layout numeric streams: every byte is structure a debugger reads. */
const ALL_STRUCTURAL = new Set([13, 15, 17, 21, 22, 0x47670001, 0x47670008]);
/** Streams that are lists of descriptors (their payloads live elsewhere in the file). */
const DESCRIPTOR_STREAMS = new Set([3, 4, 5, 6, 7, 8, 9, 12, 14, 16, 24, 0x43500001, 0x47670002]);

export const streamName = (type: number): string => STREAM_NAMES[type] ?? `stream type ${hex(type)}`;

interface MemRange { va: bigint; size: number; rva: number }
interface Thread { id: number; stackVa: bigint; stackSize: number; stackRva: number }
interface Module { base: bigint; size: number; name: string }
interface MemInfo { base: bigint; size: bigint; state: number; protect: number; type: number }

class Minidump {
  readonly c: Collector;
  readonly mem: MemRange[] = [];
  readonly threads: Thread[] = [];
  readonly modules: Module[] = [];
  readonly memInfo: MemInfo[] = [];
  readonly threadNames = new Map<number, string>();

  constructor(readonly b: Bytes) {
    this.c = new Collector(b.size);
  }

  parse(): FormatInfo {
    const { b, c } = this;
    if (!b.has(0, 32)) {
      c.warn('minidump header truncated; whole file scanned raw');
      return c.result('minidump');
    }
    c.struct(0, 32);
    const version = b.u32(4);
    if ((version & 0xffff) !== 0xa793) c.warn(`minidump version ${hex(version)} unexpected; parsing anyway`);
    const nStreams = b.u32(8);
    const dirRva = b.u32(12);
    const fit = dirRva < b.size ? Math.floor((b.size - dirRva) / 12) : 0;
    let n = nStreams;
    if (n > fit) {
      c.warn(`stream directory truncated at ${hex(dirRva + fit * 12)} (${nStreams} streams claimed, ${fit} fit); remaining bytes scanned raw`);
      n = fit;
    }
    if (n > MAX_STREAMS) {
      c.warn(`stream directory lists ${n} streams; only the first ${MAX_STREAMS} parsed, remaining bytes scanned raw`);
      n = MAX_STREAMS;
    }
    c.struct(dirRva, dirRva + n * 12);
    const seen = new Set<string>();
    const listDone = new Set<number>();
    for (let i = 0; i < n && c.step(); i++) {
      const at = dirRva + i * 12;
      const type = b.u32(at);
      let size = b.u32(at + 4);
      const rva = b.u32(at + 8);
      if (type === 0 || size === 0) continue;
      const key = `${type}:${rva}:${size}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const name = streamName(type);
      if (DESCRIPTOR_STREAMS.has(type) && listDone.has(type)) {
        c.warn(`second ${name} stream at ${hex(rva)} ignored (debuggers read the first); its bytes are scanned raw`);
        continue;
      }
      if (rva >= b.size) {
        c.warn(`${name} stream at ${hex(rva)} starts past the end of the file; skipped`);
        continue;
      }
      listDone.add(type);
      if (rva + size > b.size) {
        c.warn(`${name} stream at ${hex(rva)} truncated at ${hex(b.size)}; remaining bytes scanned raw`);
        size = b.size - rva;
      }
      try {
        this.stream(type, name, rva, size);
      } catch (err) {
        if (!(err instanceof Truncated)) throw err;
        c.warn(`${name} stream at ${hex(rva)} truncated at ${hex(err.offset)}; remaining bytes scanned raw`);
      }
    }
    this.memoryRegions();
    return c.result('minidump');
  }

  private stream(type: number, name: string, rva: number, size: number): void {
    const { c } = this;
    const structural = ALL_STRUCTURAL.has(type);
    const kind = structural || DESCRIPTOR_STREAMS.has(type) ? 'structure' : 'stream';
    c.region(rva, rva + size, kind, `${name} stream`);
    if (structural) {
      c.struct(rva, rva + size);
      return;
    }
    switch (type) {
      case 3: return this.threadList(rva, size, 48);
      case 8: return this.threadList(rva, size, 64);
      case 4: return this.moduleList(rva, size);
      case 5: return this.memoryList(rva, size);
      case 9: return this.memory64List(rva, size);
      case 6: return this.exception(rva, size);
      case 7: return this.systemInfo(rva, size);
      case 12: return this.handleData(rva, size);
      case 14: return this.unloadedModules(rva, size);
      case 16: return this.memoryInfoList(rva, size);
      case 24: return this.threadNamesList(rva, size);
      case 0x43500001: return this.crashpadInfo(rva, size);
      case 0x47670002: return this.assertionInfo(rva, size);
      default: return; // text or opaque: redactable, scanned as a whole
    }
  }

  /** Count + entries; accepts the old Breakpad-macOS layout with 4 bytes of padding after the count. */
  private list(rva: number, size: number, entrySize: number, name: string): { first: number; count: number } {
    const claimed = this.b.u32(rva);
    let first = rva + 4;
    if (claimed * entrySize + 8 === size) first = rva + 8;
    return { first, count: this.capCount(claimed, first, rva + size, entrySize, name) };
  }

  private capCount(claimed: number, first: number, end: number, entrySize: number, name: string): number {
    const fit = Math.max(0, Math.floor((end - first) / entrySize));
    let count = claimed;
    if (count > fit) {
      this.c.warn(`${name} claims ${claimed} entries but ${fit} fit; list truncated at ${hex(first + fit * entrySize)}; remaining bytes scanned raw`);
      count = fit;
    }
    if (count > MAX_LIST) {
      this.c.warn(`${name} has ${count} entries; only ${MAX_LIST} parsed, remaining bytes scanned raw`);
      count = MAX_LIST;
    }
    return this.c.step(count) ? count : 0;
  }

  private threadList(rva: number, size: number, entrySize: number): void {
    const { b, c } = this;
    const { first, count } = this.list(rva, size, entrySize, 'ThreadList');
    c.struct(rva, first + count * entrySize);
    for (let i = 0; i < count; i++) {
      const e = first + i * entrySize;
      const id = b.u32(e);
      const stackVa = b.u64(e + 24);
      const stackSize = b.u32(e + 32);
      const stackRva = b.u32(e + 36);
      this.threads.push({ id, stackVa, stackSize, stackRva });
      this.context(b.u32(e + 40), b.u32(e + 44), `registers of thread ${id}`);
    }
  }

  /** Thread context: register values are redactable (AES round keys can sit in xmm), the flags are not. */
  private context(ctxSize: number, ctxRva: number, label: string): void {
    const { b, c } = this;
    if (ctxSize === 0) return;
    if (!b.has(ctxRva, ctxSize)) {
      c.warn(`${label}: context at ${hex(ctxRva)} (${ctxSize} bytes) lies past the end of the file; skipped`);
      return;
    }
    c.region(ctxRva, ctxRva + ctxSize, 'registers', label);
    // CONTEXT_AMD64 (1232 bytes) keeps ContextFlags at 0x30 after the home slots; others at 0.
    const flagsAt = ctxSize === 1232 ? 0x30 : 0;
    c.struct(ctxRva + flagsAt, ctxRva + flagsAt + 4);
  }

  private moduleList(rva: number, size: number): void {
    const { b, c } = this;
    const { first, count } = this.list(rva, size, 108, 'ModuleList');
    c.struct(rva, first + count * 108);
    for (let i = 0; i < count; i++) {
      const e = first + i * 108;
      const base = b.u64(e);
      const imageSize = b.u32(e + 8);
      const name = this.mdString(b.u32(e + 20), 'module name') ?? `module ${i}`;
      this.modules.push({ base, size: imageSize, name });
      this.codeView(b.u32(e + 76), b.u32(e + 80), name);
    }
  }

  /** Debug identifiers (GUID/age, build id) are structure: symbol lookup needs them; PDB paths are strings. */
  private codeView(size: number, rva: number, module: string): void {
    const { b, c } = this;
    if (size === 0) return;
    if (!b.has(rva, size)) {
      c.warn(`CodeView record of ${baseName(module)} at ${hex(rva)} lies past the end of the file; skipped`);
      return;
    }
    const sig = size >= 4 ? b.u32(rva) : 0;
    const fixed = sig === 0x53445352 ? 24 : sig === 0x3031424e ? 16 : Math.min(size, 4096);
    c.struct(rva, rva + Math.min(fixed, size));
    if (size > fixed) c.region(rva + fixed, rva + size, 'string', `debug file name of ${baseName(module)}`);
  }

  private memoryList(rva: number, size: number): void {
    const { b, c } = this;
    const { first, count } = this.list(rva, size, 16, 'MemoryList');
    c.struct(rva, first + count * 16);
    for (let i = 0; i < count; i++) {
      const e = first + i * 16;
      this.addRange(b.u64(e), b.u32(e + 8), b.u32(e + 12), `MemoryList range ${i}`);
    }
  }

  private memory64List(rva: number, size: number): void {
    const { b, c } = this;
    const claimed = b.u64n(rva);
    let cursor = b.u64n(rva + 8);
    const count = this.capCount(claimed === Infinity ? 2 ** 32 : claimed, rva + 16, rva + size, 16, 'Memory64List');
    c.struct(rva, rva + 16 + count * 16);
    for (let i = 0; i < count; i++) {
      const e = rva + 16 + i * 16;
      const va = b.u64(e);
      const len = b.u64n(e + 8);
      if (cursor >= b.size) {
        c.warn(`Memory64List data truncated at ${hex(b.size)} (range ${i} of ${count}); remaining ranges absent`);
        return;
      }
      this.addRange(va, len, cursor, `Memory64List range ${i}`);
      cursor += len;
    }
  }

  private addRange(va: bigint, len: number, rva: number, what: string): void {
    const { b, c } = this;
    if (len === 0) return;
    if (rva >= b.size) {
      c.warn(`${what} data at ${hex(rva)} lies past the end of the file; skipped`);
      return;
    }
    if (rva + len > b.size) {
      c.warn(`${what} data truncated at ${hex(b.size)}; remaining bytes scanned raw`);
      len = b.size - rva;
    }
    this.mem.push({ va, size: len, rva });
  }

  private exception(rva: number, size: number): void {
    const { b, c } = this;
    const fixed = Math.min(size, 168);
    c.struct(rva, rva + fixed);
    if (fixed < 168) throw new Truncated(rva, 168);
    this.context(b.u32(rva + 160), b.u32(rva + 164), `registers at exception (thread ${b.u32(rva)})`);
  }

  private systemInfo(rva: number, size: number): void {
    this.c.struct(rva, rva + Math.min(size, 56));
    if (size >= 28) this.mdString(this.b.u32(rva + 24), 'CSD version');
  }

  private handleData(rva: number, size: number): void {
    const { b, c } = this;
    const hdr = b.u32(rva);
    const entry = b.u32(rva + 4);
    if (hdr < 16 || entry < 16 || hdr > size) {
      c.warn(`HandleData stream at ${hex(rva)} has an odd header (${hdr}/${entry}); scanned raw`);
      return;
    }
    const count = this.capCount(b.u32(rva + 8), rva + hdr, rva + size, entry, 'HandleData');
    c.struct(rva, rva + hdr + count * entry);
    for (let i = 0; i < count; i++) {
      const e = rva + hdr + i * entry;
      this.mdString(b.u32(e + 8), 'handle type name');
      this.mdString(b.u32(e + 12), 'handle object name');
    }
  }

  private unloadedModules(rva: number, size: number): void {
    const { b, c } = this;
    const hdr = b.u32(rva);
    const entry = b.u32(rva + 4);
    if (hdr < 12 || entry < 24 || hdr > size) {
      c.warn(`UnloadedModuleList at ${hex(rva)} has an odd header (${hdr}/${entry}); scanned raw`);
      return;
    }
    const count = this.capCount(b.u32(rva + 8), rva + hdr, rva + size, entry, 'UnloadedModuleList');
    c.struct(rva, rva + hdr + count * entry);
    for (let i = 0; i < count; i++) this.mdString(b.u32(rva + hdr + i * entry + 20), 'unloaded module name');
  }

  private memoryInfoList(rva: number, size: number): void {
    const { b, c } = this;
    c.struct(rva, rva + size);
    const hdr = b.u32(rva);
    const entry = b.u32(rva + 4);
    if (hdr < 16 || entry < 48 || hdr > size) {
      c.warn(`MemoryInfoList at ${hex(rva)} has an odd header (${hdr}/${entry}); protections unknown`);
      return;
    }
    const claimed = b.u64n(rva + 8);
    const count = this.capCount(claimed === Infinity ? 2 ** 32 : claimed, rva + hdr, rva + size, entry, 'MemoryInfoList');
    for (let i = 0; i < count; i++) {
      const e = rva + hdr + i * entry;
      this.memInfo.push({ base: b.u64(e), size: b.u64(e + 24), state: b.u32(e + 32), protect: b.u32(e + 36), type: b.u32(e + 40) });
    }
  }

  private threadNamesList(rva: number, size: number): void {
    const { b, c } = this;
    const count = this.capCount(b.u32(rva), rva + 4, rva + size, 12, 'ThreadNames');
    c.struct(rva, rva + 4 + count * 12);
    for (let i = 0; i < count; i++) {
      const e = rva + 4 + i * 12;
      const nameRva = b.u64n(e + 4);
      const name = nameRva < b.size ? this.mdString(nameRva, 'thread name') : undefined;
      if (name) this.threadNames.set(b.u32(e), name);
    }
  }

  private assertionInfo(rva: number, size: number): void {
    // expression, function, file: 128 UTF-16 units each (redactable), then line and type.
    const names = ['expression', 'function', 'file'];
    for (let i = 0; i < 3 && size >= (i + 1) * 256; i++) this.c.region(rva + i * 256, rva + (i + 1) * 256, 'string', `assertion ${names[i]}`);
    if (size >= 776) this.c.struct(rva + 768, rva + 776);
  }

  private crashpadInfo(rva: number, size: number): void {
    const { b, c } = this;
    c.struct(rva, rva + Math.min(size, 52));
    if (size < 52) return;
    this.dictionary(b.u32(rva + 36), b.u32(rva + 40), 'crashpad annotation');
    const listSize = b.u32(rva + 44);
    const listRva = b.u32(rva + 48);
    if (listSize < 4 || !b.has(listRva, listSize)) return;
    const count = this.capCount(b.u32(listRva), listRva + 4, listRva + listSize, 12, 'CrashpadModuleInfoList');
    c.struct(listRva, listRva + 4 + count * 12);
    for (let i = 0; i < count; i++) {
      const link = listRva + 4 + i * 12;
      const infoSize = b.u32(link + 4);
      const info = b.u32(link + 8);
      if (infoSize < 28 || !b.has(info, infoSize)) continue;
      c.struct(info, info + 28);
      this.rvaStringList(b.u32(info + 4), b.u32(info + 8));
      this.dictionary(b.u32(info + 12), b.u32(info + 16), 'crashpad module annotation');
      this.annotationObjects(b.u32(info + 20), b.u32(info + 24));
    }
  }

  private dictionary(size: number, rva: number, label: string): void {
    const { b, c } = this;
    if (size < 4 || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + 4, rva + size, 8, label);
    c.struct(rva, rva + 4 + count * 8);
    for (let i = 0; i < count; i++) {
      this.utf8String(b.u32(rva + 4 + i * 8), `${label} key`);
      this.utf8String(b.u32(rva + 8 + i * 8), `${label} value`);
    }
  }

  private rvaStringList(size: number, rva: number): void {
    const { b, c } = this;
    if (size < 4 || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + 4, rva + size, 4, 'crashpad list annotations');
    c.struct(rva, rva + 4 + count * 4);
    for (let i = 0; i < count; i++) this.utf8String(b.u32(rva + 4 + i * 4), 'crashpad list annotation');
  }

  private annotationObjects(size: number, rva: number): void {
    const { b, c } = this;
    if (size < 4 || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + 4, rva + size, 12, 'crashpad annotation objects');
    c.struct(rva, rva + 4 + count * 12);
    for (let i = 0; i < count; i++) {
      const e = rva + 4 + i * 12;
      this.utf8String(b.u32(e), 'crashpad annotation name');
      this.utf8String(b.u32(e + 8), 'crashpad annotation value');
    }
  }

  /** MinidumpUTF8String / MinidumpByteArray: u32 length (structure) + bytes (redactable). */
  private utf8String(rva: number, label: string): void {
    const { b, c } = this;
    if (rva === 0 || !b.has(rva, 4)) return;
    const len = b.u32(rva);
    c.struct(rva, rva + 4);
    if (len > 0 && b.has(rva + 4, len)) c.region(rva + 4, rva + 4 + len, 'string', label);
  }

  /** MINIDUMP_STRING: u32 byte length (structure) + UTF-16LE (redactable). Returns the text. */
  private mdString(rva: number, label: string): string | undefined {
    const { b, c } = this;
    if (rva === 0 || !b.has(rva, 4)) return undefined;
    const len = b.u32(rva);
    if (len > MAX_STRING || !b.has(rva + 4, len)) {
      c.warn(`${label} at ${hex(rva)} claims ${len} bytes past the end of the file; ignored`);
      return undefined;
    }
    c.struct(rva, rva + 4);
    const text = b.slice(rva + 4, len & ~1).toString('utf16le');
    c.region(rva + 4, rva + 4 + len, 'string', `${label} ${baseName(text)}`.slice(0, 200));
    return text;
  }

  /** Labels memory ranges, stacks (by thread) and module images, and protections where known. */
  private memoryRegions(): void {
    const { c, mem, b } = this;
    const info = [...this.memInfo].sort((x, y) => cmp(x.base, y.base));
    const modules = this.modules.filter((m) => m.size > 0).sort((x, y) => cmp(x.base, y.base));
    const byVa = [...mem].sort((x, y) => cmp(x.va, y.va));
    for (const r of mem) {
      if (c.full || !c.step()) break;
      const end = r.va + BigInt(r.size);
      const mi = findContaining(info, r.va, (m) => m.base, (m) => m.base + m.size);
      const heap = mi && mi.type === 0x20000 && (mi.protect & 0x44) !== 0 && mi.state === 0x1000;
      const label = `memory ${hex(r.va)}-${hex(end)}${mi ? ` (${protectName(mi.protect)}, ${typeName(mi.type)})` : ''}`;
      c.region(r.rva, r.rva + r.size, heap ? 'heap' : 'memory', heap ? `heap/private ${label}` : label, r.va);
      // Modules overlapping this range: modules are sorted, start from the last one at or below r.va.
      let k = lastAtOrBelow(modules, r.va, (m) => m.base);
      for (k = Math.max(0, k); k < modules.length && modules[k].base < end && !c.full && c.step(); k++) {
        const m = modules[k];
        this.overlap(r, m.base, m.base + BigInt(m.size), 'image', `image of ${baseName(m.name)}`);
      }
    }
    for (const t of this.threads) {
      const name = this.threadNames.get(t.id);
      const label = `stack of thread ${t.id}${name ? ` (${name.slice(0, 64)})` : ''}`;
      let covered = false;
      if (t.stackSize > 0) {
        const tEnd = t.stackVa + BigInt(t.stackSize);
        let k = Math.max(0, lastAtOrBelow(byVa, t.stackVa, (m) => m.va));
        for (; k < byVa.length && byVa[k].va < tEnd && !c.full && c.step(); k++) covered = this.overlap(byVa[k], t.stackVa, tEnd, 'stack', label) || covered;
      }
      if (!covered && t.stackSize > 0 && t.stackRva !== 0 && b.has(t.stackRva, t.stackSize)) {
        c.region(t.stackRva, t.stackRva + t.stackSize, 'stack', label, t.stackVa);
      }
    }
  }

  private overlap(r: MemRange, lo: bigint, hi: bigint, kind: 'image' | 'stack', label: string): boolean {
    const rEnd = r.va + BigInt(r.size);
    const s = lo > r.va ? lo : r.va;
    const e = hi < rEnd ? hi : rEnd;
    if (e <= s) return false;
    this.c.region(r.rva + Number(s - r.va), r.rva + Number(e - r.va), kind, label, s);
    return true;
  }
}


function findContaining<T>(xs: T[], v: bigint, lo: (x: T) => bigint, hi: (x: T) => bigint): T | undefined {
  const i = lastAtOrBelow(xs, v, lo);
  return i >= 0 && v < hi(xs[i]) ? xs[i] : undefined;
}

export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return (i >= 0 ? p.slice(i + 1) : p).replace(/\0+$/, '');
}

function protectName(p: number): string {
  const names: Record<number, string> = { 1: 'no access', 2: 'r', 4: 'rw', 8: 'rw copy-on-write', 0x10: 'x', 0x20: 'rx', 0x40: 'rwx', 0x80: 'rwx copy-on-write' };
  return names[p & 0xff] ?? `protect ${hex(p)}`;
}

function typeName(t: number): string {
  return t === 0x20000 ? 'private' : t === 0x40000 ? 'mapped' : t === 0x1000000 ? 'image' : `type ${hex(t)}`;
}

export function parseMinidump(b: Bytes): FormatInfo {
  return new Minidump(b).parse();
}
