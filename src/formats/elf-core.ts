// ELF core files (kernel, gcore, systemd-coredump): PT_LOAD memory, PT_NOTE notes, NT_FILE names.
// Structural = ELF header, program/section header tables, note headers+names, the numeric parts of
// notes debuggers rely on (NT_FILE table, auxv, siginfo, prstatus/prpsinfo prefixes). Register
// values (prstatus pr_reg, FP/xstate) stay scannable and redactable: AES round keys live in xmm.
// NT_FILE: the (start, end, offset) table is structural, since one changed word would misplace every
// mapping gdb rebuilds from it; the path names stay redactable, and a redacted name only costs
// gdb the symbols of that one file (it cannot find it on disk), the core still loads.
// Labels: "[stack]" is the PT_LOAD holding the main thread's SP (pid == NT_PRPSINFO pr_pid), other
// threads' SPs give "stack of thread N"; "[heap]" is a guess: the first anonymous PT_LOAD within
// 128 MiB above the executable's last NT_FILE mapping (the one holding AT_ENTRY), preferring one
// not directly adjacent (that is usually the .bss tail; brk is randomised further up).
import type { FormatInfo } from '../types.js';
import { Collector } from './collect.js';
import { baseName } from './minidump.js';
import { Bytes, Truncated, hex, cmp, lastAtOrBelow } from './reader.js';
import { rawFormat } from './raw.js';
import type { ReadAt } from '../types.js';

const MAX_PHDRS = 1 << 20;
const MAX_NOTES = 1 << 20;
const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_PRSTATUS = 1;
const NT_PRPSINFO = 3;
const NT_AUXV = 6;
const NT_FILE = 0x46494c45;
const NT_SIGINFO = 0x53494749;
const REGISTER_NOTES = new Set([2, 0x46e62b7f, 0x202, 0x400, 0x405, 0x406, 0x40b]);
const NOTE_NAMES: Record<number, string> = {
  1: 'NT_PRSTATUS', 2: 'NT_PRFPREG', 3: 'NT_PRPSINFO', 4: 'NT_TASKSTRUCT', 6: 'NT_AUXV',
  0x46494c45: 'NT_FILE', 0x53494749: 'NT_SIGINFO', 0x46e62b7f: 'NT_PRXFPREG', 0x200: 'NT_386_TLS',
  0x202: 'NT_X86_XSTATE', 0x400: 'NT_ARM_VFP', 0x401: 'NT_ARM_TLS', 0x405: 'NT_ARM_SVE',
  0x406: 'NT_ARM_PAC_MASK', 0x40b: 'NT_ARM_ZA',
};

interface Segment { offset: number; fileSize: number; vaddr: bigint; memSize: bigint }
interface FileMapping { start: bigint; end: bigint; name: string }

/** Where pr_pid / pr_reg live in elf_prstatus and which register is the stack pointer. */
function prstatusLayout(machine: number, is64: boolean): { pid: number; reg: number; sp: number } | undefined {
  if (machine === 62) return { pid: 32, reg: 112, sp: 112 + 19 * 8 }; // x86_64: rsp is user_regs[19]
  if (machine === 183) return { pid: 32, reg: 112, sp: 112 + 31 * 8 }; // aarch64: sp after x0..x30
  if (machine === 3) return { pid: 24, reg: 72, sp: 72 + 15 * 4 }; // i386: esp is regs[15]
  if (machine === 40) return { pid: 24, reg: 72, sp: 72 + 13 * 4 }; // arm: r13
  return is64 ? { pid: 32, reg: 112, sp: -1 } : undefined;
}

class ElfCore {
  readonly c: Collector;
  readonly segments: Segment[] = [];
  readonly files: FileMapping[] = [];
  readonly threads: { pid: number; sp?: bigint }[] = [];
  processPid?: number;
  entry?: bigint;
  private thread = '';

  constructor(readonly b: Bytes, readonly is64: boolean, readonly machine: number) {
    this.c = new Collector(b.size);
  }

  private word(at: number): bigint {
    return this.is64 ? this.b.u64(at) : BigInt(this.b.u32(at));
  }

  private wordn(at: number): number {
    return this.is64 ? this.b.u64n(at) : this.b.u32(at);
  }

  parse(): FormatInfo {
    const { b, c, is64 } = this;
    const ehsize = is64 ? 64 : 52;
    c.struct(0, ehsize);
    const phoff = is64 ? b.u64n(32) : b.u32(28);
    const shoff = is64 ? b.u64n(40) : b.u32(32);
    const phentsize = b.u16(is64 ? 54 : 42);
    let phnum = b.u16(is64 ? 56 : 44);
    const shentsize = b.u16(is64 ? 58 : 46);
    let shnum = b.u16(is64 ? 60 : 48);
    const shstrndx = b.u16(is64 ? 62 : 50);
    const minPh = is64 ? 56 : 32;
    const minSh = is64 ? 64 : 40;
    // PN_XNUM / SHN_UNDEF overflow: the real counts live in section header 0.
    if ((phnum === 0xffff || shnum === 0) && shoff > 0 && shentsize >= minSh && b.has(shoff, shentsize)) {
      if (phnum === 0xffff) phnum = b.u32(shoff + (is64 ? 44 : 28));
      if (shnum === 0) shnum = Math.min(is64 ? b.u64n(shoff + 32) : b.u32(shoff + 20), MAX_PHDRS);
    }
    if (phentsize < minPh) {
      c.warn(`program header size ${phentsize} too small; whole file scanned raw`);
      return c.result('elf-core');
    }
    const fit = phoff < b.size ? Math.floor((b.size - phoff) / phentsize) : 0;
    if (phnum > fit) {
      c.warn(`program header table truncated at ${hex(phoff + fit * phentsize)} (${phnum} claimed, ${fit} fit); remaining bytes scanned raw`);
      phnum = fit;
    }
    if (phnum > MAX_PHDRS) {
      c.warn(`${phnum} program headers; only ${MAX_PHDRS} parsed`);
      phnum = MAX_PHDRS;
    }
    c.struct(phoff, phoff + phnum * phentsize);
    this.sections(shoff, shentsize, shnum, shstrndx, minSh);
    const notes: Segment[] = [];
    for (let i = 0; i < phnum && c.step(); i++) {
      const at = phoff + i * phentsize;
      const type = b.u32(at);
      const offset = is64 ? b.u64n(at + 8) : b.u32(at + 4);
      const vaddr = is64 ? b.u64(at + 16) : BigInt(b.u32(at + 8));
      const fileSize = is64 ? b.u64n(at + 32) : b.u32(at + 16);
      const memSize = is64 ? b.u64(at + 40) : BigInt(b.u32(at + 20));
      if (type !== PT_LOAD && type !== PT_NOTE) continue;
      if (fileSize === 0) {
        if (type === PT_LOAD) this.segments.push({ offset: 0, fileSize: 0, vaddr, memSize });
        continue;
      }
      const what = `${type === PT_LOAD ? 'PT_LOAD' : 'PT_NOTE'} ${i} at ${hex(offset)}`;
      if (offset >= b.size) {
        c.warn(`${what} starts past the end of the file; skipped`);
        continue;
      }
      let len = fileSize;
      if (offset + len > b.size) {
        c.warn(`${what} truncated at ${hex(b.size)}; remaining bytes scanned raw`);
        len = b.size - offset;
      }
      const seg = { offset, fileSize: len, vaddr, memSize };
      if (type === PT_LOAD) this.segments.push(seg);
      else notes.push(seg);
    }
    notes.sort((x, y) => x.offset - y.offset);
    let notesEnd = 0;
    for (const n of notes) {
      if (n.offset < notesEnd) {
        c.warn(`PT_NOTE at ${hex(n.offset)} overlaps another PT_NOTE; parsed once, bytes scanned raw`);
        continue;
      }
      notesEnd = n.offset + n.fileSize;
      c.region(n.offset, n.offset + n.fileSize, 'note', 'PT_NOTE');
      try {
        this.notes(n.offset, n.offset + n.fileSize);
      } catch (err) {
        if (!(err instanceof Truncated)) throw err;
        c.warn(`PT_NOTE at ${hex(n.offset)} truncated at ${hex(err.offset)}; remaining bytes scanned raw`);
      }
    }
    this.loadRegions();
    return c.result('elf-core');
  }

  private sections(shoff: number, shentsize: number, shnum: number, shstrndx: number, minSh: number): void {
    const { b, c, is64 } = this;
    if (shoff === 0 || shnum === 0) return;
    if (shentsize < minSh || !b.has(shoff, shentsize * Math.min(shnum, MAX_PHDRS))) {
      c.warn(`section header table at ${hex(shoff)} lies outside the file; ignored`);
      return;
    }
    c.struct(shoff, shoff + shnum * shentsize);
    if (shstrndx < shnum) {
      const at = shoff + shstrndx * shentsize;
      const off = is64 ? b.u64n(at + 24) : b.u32(at + 16);
      const size = is64 ? b.u64n(at + 32) : b.u32(at + 20);
      if (b.u32(at + 4) === 3 && size <= 1 << 20 && b.has(off, size)) c.struct(off, off + size);
    }
  }

  private notes(start: number, end: number): void {
    const { b, c } = this;
    let pos = start;
    for (let k = 0; k < MAX_NOTES && pos + 12 <= end && c.step(); k++) {
      const namesz = b.u32(pos);
      const descsz = b.u32(pos + 4);
      const type = b.u32(pos + 8);
      const descAt = pos + 12 + align4(namesz);
      if (descAt > end || descAt + descsz > end) {
        c.warn(`note at ${hex(pos)} (namesz ${namesz}, descsz ${descsz}) runs past its PT_NOTE; notes truncated at ${hex(pos)}; remaining bytes scanned raw`);
        return;
      }
      c.struct(pos, descAt);
      const name = b.slice(pos + 12, Math.min(namesz, 64)).toString('latin1').replace(/\0.*$/s, '');
      this.note(name, type, descAt, descsz);
      pos = descAt + align4(descsz);
    }
  }

  private note(name: string, type: number, at: number, size: number): void {
    const { c, b, is64 } = this;
    const label = `${NOTE_NAMES[type] ?? `note ${name} type ${hex(type)}`}`;
    const end = at + size;
    if (size === 0) return;
    if (name === 'CORE' && type === NT_PRSTATUS) {
      const lay = prstatusLayout(this.machine, is64);
      const pid = lay && size >= lay.reg ? b.u32(at + lay.pid) : undefined;
      this.thread = pid !== undefined ? ` of thread ${pid}` : '';
      if (lay && pid !== undefined) {
        const sp = lay.sp > 0 && lay.sp + (is64 ? 8 : 4) <= size ? this.word(at + lay.sp) : undefined;
        this.threads.push({ pid, sp });
        c.struct(at, at + lay.reg);
        c.region(at + lay.reg, end, 'registers', `registers${this.thread}`);
      } else c.region(at, end, 'registers', `${label}${this.thread}`);
      return;
    }
    if (REGISTER_NOTES.has(type)) {
      c.region(at, end, 'registers', `${label}${this.thread}`);
      return;
    }
    if (name === 'CORE' && type === NT_PRPSINFO) {
      // Numeric prefix is structure; pr_fname and pr_psargs (the command line) are redactable text.
      const textAt = is64 ? 40 : 28;
      if (size >= textAt + 96) {
        c.struct(at, at + textAt);
        this.processPid = b.u32(at + (is64 ? 24 : 12));
        c.region(at + textAt, end, 'string', 'process name and arguments (NT_PRPSINFO)');
      } else c.region(at, end, 'note', label);
      return;
    }
    if (name === 'CORE' && (type === NT_AUXV || type === NT_SIGINFO)) {
      c.struct(at, end); // debuggers relocate PIE executables from auxv; siginfo says why it crashed
      c.region(at, end, 'note', label);
      if (type === NT_AUXV) this.auxv(at, end);
      return;
    }
    if (name === 'CORE' && type === NT_FILE) return this.ntFile(at, end);
    c.region(at, end, 'note', label);
  }

  private auxv(at: number, end: number): void {
    const w = this.is64 ? 8 : 4;
    for (let p = at; p + 2 * w <= end; p += 2 * w) {
      const key = this.word(p);
      if (key === 0n) break;
      if (key === 9n) this.entry = this.word(p + w); // AT_ENTRY
    }
  }

  /** NT_FILE: count, page size, (start, end, offset) triples, then NUL-terminated names. */
  private ntFile(at: number, end: number): void {
    const { b, c, is64 } = this;
    const w = is64 ? 8 : 4;
    const claimed = this.wordn(at);
    const fit = Math.max(0, Math.floor((end - at - 2 * w) / (3 * w)));
    let count = Math.min(claimed, fit, MAX_PHDRS);
    if (!c.step(count)) count = 0;
    if (claimed > count) c.warn(`NT_FILE claims ${claimed} mappings but ${count} fit; names beyond scanned raw`);
    const namesAt = at + 2 * w + count * 3 * w;
    c.struct(at, namesAt);
    if (namesAt < end) c.region(namesAt, end, 'string', 'mapped file names (NT_FILE)');
    const names = b.slice(namesAt, end - namesAt);
    let p = 0;
    for (let i = 0; i < count; i++) {
      const z = names.indexOf(0, p);
      const stop = z < 0 ? names.length : z;
      const name = names.subarray(p, stop).toString('utf8');
      p = stop + 1;
      const t = at + 2 * w + i * 3 * w;
      this.files.push({ start: this.word(t), end: this.word(t + w), name });
      if (z < 0) break;
    }
  }

  /** PT_LOAD labels: mapped files by NT_FILE, thread stacks by SP, the heap by adjacency to the executable. */
  private loadRegions(): void {
    const { c } = this;
    const files = [...this.files].sort((x, y) => cmp(x.start, y.start));
    const exe = this.entry !== undefined ? files.find((f) => f.start <= this.entry! && this.entry! < f.end) : undefined;
    let exeEnd = 0n;
    if (exe) for (const f of files) if (f.name === exe.name && f.end > exeEnd) exeEnd = f.end;
    const stackOf = new Map<Segment, string>();
    const sorted = [...this.segments].sort((x, y) => cmp(x.vaddr, y.vaddr));
    for (const t of this.threads) {
      if (t.sp === undefined || !c.step()) continue;
      const i = lastAtOrBelow(sorted, t.sp, (s) => s.vaddr);
      const seg = i >= 0 && t.sp < sorted[i].vaddr + sorted[i].memSize ? sorted[i] : undefined;
      if (!seg || stackOf.has(seg)) continue;
      const main = t.pid === this.processPid;
      stackOf.set(seg, `${main ? '[stack] ' : ''}stack of thread ${t.pid}${main ? ' (main)' : ''}`);
    }
    let heap: Segment | undefined;
    let fallback: Segment | undefined;
    for (const s of sorted) {
      if (!c.step()) break;
      if (!exe || s.vaddr < exeEnd || s.vaddr >= exeEnd + 0x8000000n || stackOf.has(s)) continue;
      if (overlapsAny(files, s.vaddr, s.vaddr + s.memSize)) continue;
      if (s.vaddr === exeEnd) fallback ??= s; // bss tail or an unrandomised brk
      else {
        heap = s;
        break;
      }
    }
    heap ??= fallback;
    for (const s of this.segments) {
      if (c.full) break;
      if (s.fileSize === 0 || !c.step()) continue;
      const vEnd = s.vaddr + BigInt(s.fileSize);
      const stack = stackOf.get(s);
      if (stack) c.region(s.offset, s.offset + s.fileSize, 'stack', stack, s.vaddr);
      else if (s === heap) c.region(s.offset, s.offset + s.fileSize, 'heap', '[heap]', s.vaddr);
      else c.region(s.offset, s.offset + s.fileSize, 'memory', `memory ${hex(s.vaddr)}-${hex(s.vaddr + s.memSize)}`, s.vaddr);
      let k = Math.max(0, lastAtOrBelow(files, s.vaddr, (f) => f.start));
      for (; k < files.length && files[k].start < vEnd && !c.full && c.step(); k++) {
        const f = files[k];
        const lo = f.start > s.vaddr ? f.start : s.vaddr;
        const hi = f.end < vEnd ? f.end : vEnd;
        if (hi <= lo) continue;
        const isImage = f === exe || f.name === exe?.name || /\.so(\.|$)/.test(f.name);
        const label = isImage ? `image of ${baseName(f.name)}` : `mapped file ${f.name}`;
        c.region(s.offset + Number(lo - s.vaddr), s.offset + Number(hi - s.vaddr), isImage ? 'image' : 'mapped-file', label, lo);
      }
    }
  }
}

const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);

function overlapsAny(files: FileMapping[], lo: bigint, hi: bigint): boolean {
  // Mappings do not overlap in a sane core; checking the neighbours is enough and stays O(log n).
  const k = lastAtOrBelow(files, lo, (f) => f.start);
  if (k >= 0 && files[k].end > lo) return true;
  return k + 1 < files.length && files[k + 1].start < hi;
}

export function parseElfCore(readAt: ReadAt, size: number): FormatInfo {
  const probe = new Bytes(readAt, size);
  if (!probe.has(0, 52)) return rawFormat(size, ['ELF header truncated; whole file scanned raw']);
  const cls = probe.u8(4);
  const data = probe.u8(5);
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
    return rawFormat(size, [`ELF class ${cls} / data ${data} unknown; whole file scanned raw`]);
  }
  const is64 = cls === 2;
  if (is64 && !probe.has(0, 64)) return rawFormat(size, ['ELF header truncated; whole file scanned raw']);
  const b = new Bytes(readAt, size, data === 1);
  const type = b.u16(16);
  if (type !== 4) return rawFormat(size, [`ELF file of type ${type} is not a core dump; scanned raw`]);
  const core = new ElfCore(b, is64, b.u16(18));
  try {
    return core.parse();
  } catch (err) {
    if (!(err instanceof Truncated)) throw err;
    core.c.warn(`ELF core truncated at ${hex(err.offset)}; remaining bytes scanned raw`);
    return core.c.result('elf-core');
  }
}
