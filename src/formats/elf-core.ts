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

// e_ident: EI_CLASS and EI_DATA bytes and their values; e_type of a core file
const EI_CLASS = 4;
const EI_DATA = 5;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const ET_CORE = 4;
// e_machine values whose elf_prstatus layout is known
const EM_386 = 3;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

/**
 * Elf32_Ehdr / Elf64_Ehdr: e_ident (16), e_type (2), e_machine (2), e_version (4) = 24; then e_entry,
 * e_phoff and e_shoff, each an address (4 or 8 bytes); e_flags (4); then six u16: e_ehsize,
 * e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx.
 */
const EHDR_TYPE = 16;
const EHDR_MACHINE = 16 + 2;
function ehdr(w: 4 | 8) {
  const phoff = 24 + w;
  const shoff = phoff + w;
  const ehsize = shoff + w + 4;
  return { phoff, shoff, phentsize: ehsize + 2, phnum: ehsize + 4, shentsize: ehsize + 6, shnum: ehsize + 8, shstrndx: ehsize + 10, size: ehsize + 12 };
}
/**
 * Elf64_Phdr: p_type, p_flags (u32 each), then p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align (u64).
 * Elf32_Phdr keeps p_flags after p_memsz: p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align (u32).
 */
const PHDR64 = { type: 0, offset: 4 + 4, vaddr: 8 + 8, filesz: 8 + 3 * 8, memsz: 8 + 4 * 8, size: 8 + 6 * 8 } as const;
const PHDR32 = { type: 0, offset: 4, vaddr: 2 * 4, filesz: 4 * 4, memsz: 5 * 4, size: 8 * 4 } as const;
/**
 * Elf64_Shdr: sh_name, sh_type (u32); sh_flags, sh_addr, sh_offset, sh_size (u64); sh_link, sh_info
 * (u32); sh_addralign, sh_entsize (u64) = 64. Elf32_Shdr: ten u32 = 40.
 */
const SHDR64 = { type: 4, offset: 8 + 2 * 8, size: 8 + 3 * 8, info: 8 + 4 * 8 + 4, entsize: 64 } as const;
const SHDR32 = { type: 4, offset: 4 * 4, size: 5 * 4, info: 7 * 4, entsize: 40 } as const;
const SHT_STRTAB = 3;
/** e_phnum of this value means the real count is sh_info of section header 0. */
const PN_XNUM = 0xffff;
const PT_LOAD = 1;
const PT_NOTE = 4;
/** Elf_Nhdr: n_namesz, n_descsz, n_type (u32 each); the name follows, then the descriptor, each padded to 4. */
const NHDR = { namesz: 0, descsz: 4, type: 8, size: 12 } as const;
/** Note types (n_type of "CORE" and "LINUX" notes, linux/elf.h); a report prints `NT_` + the key. */
const NT = {
  PRSTATUS: 1,
  PRFPREG: 2,
  PRPSINFO: 3,
  TASKSTRUCT: 4,
  AUXV: 6,
  FILE: 0x46494c45,
  SIGINFO: 0x53494749,
  PRXFPREG: 0x46e62b7f,
  '386_TLS': 0x200,
  X86_XSTATE: 0x202,
  ARM_VFP: 0x400,
  ARM_TLS: 0x401,
  ARM_SVE: 0x405,
  ARM_PAC_MASK: 0x406,
  ARM_ZA: 0x40b,
} as const;
const NOTE_NAMES = new Map<number, string>(Object.entries(NT).map(([name, type]) => [type, `NT_${name}`]));
const REGISTER_NOTES = new Set<number>([NT.PRFPREG, NT.PRXFPREG, NT.X86_XSTATE, NT.ARM_VFP, NT.ARM_SVE, NT.ARM_PAC_MASK, NT.ARM_ZA]);
/** auxv keys: the vector ends at AT_NULL; AT_ENTRY is the executable's entry point. */
const AT_NULL = 0n;
const AT_ENTRY = 9n;
/** An auxv entry: a_type, a_val (a word each). */
const auxvEntry = (w: number) => ({ type: 0, value: w, size: 2 * w });
/**
 * NT_FILE descriptor: count, page_size (a word each) = 2 words; then one (start, end, file_ofs) word
 * triple per mapping; then the NUL-terminated path names in the same order.
 */
const ntFileLayout = (w: number) => ({ count: 0, first: 2 * w, start: 0, end: w, entry: 3 * w });
/** [heap] is looked for at most this far above the executable's last mapping. */
const HEAP_WINDOW = 128n << 20n;
/** A section-name string table larger than this is not one; it is left redactable. */
const MAX_SHSTRTAB = 1 << 20;
/**
 * elf_prpsinfo: pr_state, pr_sname, pr_zomb, pr_nice (4 x u8), pr_flag (long), pr_uid, pr_gid, then
 * pr_pid, pr_ppid, pr_pgrp, pr_sid (4 x i32), then pr_fname[16] and pr_psargs[80]. 64-bit: 4 + 4
 * (padding) + 8 + 4 + 4 = 24 to pr_pid, 24 + 16 = 40 to pr_fname. 32-bit: 4 + 4 + 2 + 2 = 12 to
 * pr_pid (16-bit uid/gid), 12 + 16 = 28 to pr_fname.
 */
const PRPSINFO64 = { pid: 4 + 4 + 8 + 4 + 4, text: 24 + 4 * 4 } as const;
const PRPSINFO32 = { pid: 4 + 4 + 2 + 2, text: 12 + 4 * 4 } as const;
const PRPSINFO_TEXT = 16 + 80;

interface Segment {
  offset: number;
  fileSize: number;
  vaddr: bigint;
  memSize: bigint;
}
interface FileMapping {
  start: bigint;
  end: bigint;
  name: string;
}

/**
 * elf_prstatus: pr_info (elf_siginfo, 3 x i32 = 12), pr_cursig (u16) + padding = 16; pr_sigpend and
 * pr_sighold (long each); pr_pid, pr_ppid, pr_pgrp, pr_sid (4 x i32); four struct timevals (2 longs
 * each); then pr_reg. 64-bit: 16 + 8 + 8 = 32 to pr_pid, 32 + 16 + 4 * 16 = 112 to pr_reg. 32-bit:
 * 16 + 4 + 4 = 24 to pr_pid, 24 + 16 + 4 * 8 = 72 to pr_reg.
 */
const PRSTATUS64 = { pid: 16 + 8 + 8, reg: 32 + 4 * 4 + 4 * 16 } as const;
const PRSTATUS32 = { pid: 16 + 4 + 4, reg: 24 + 4 * 4 + 4 * 8 } as const;

/** Where pr_pid / pr_reg live in elf_prstatus and which register is the stack pointer. */
function prstatusLayout(machine: number, is64: boolean): { pid: number; reg: number; sp: number } | undefined {
  if (machine === EM_X86_64) return { ...PRSTATUS64, sp: PRSTATUS64.reg + 19 * 8 }; // rsp is user_regs[19]
  if (machine === EM_AARCH64) return { ...PRSTATUS64, sp: PRSTATUS64.reg + 31 * 8 }; // sp after x0..x30
  if (machine === EM_386) return { ...PRSTATUS32, sp: PRSTATUS32.reg + 15 * 4 }; // esp is regs[15]
  if (machine === EM_ARM) return { ...PRSTATUS32, sp: PRSTATUS32.reg + 13 * 4 }; // sp is r13
  return is64 ? { ...PRSTATUS64, sp: -1 } : undefined;
}

class ElfCore {
  readonly c: Collector;
  readonly segments: Segment[] = [];
  readonly files: FileMapping[] = [];
  readonly threads: { pid: number; sp?: bigint }[] = [];
  processPid?: number;
  entry?: bigint;
  private thread = '';

  constructor(
    readonly b: Bytes,
    readonly is64: boolean,
    readonly machine: number,
  ) {
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
    const E = ehdr(is64 ? 8 : 4);
    const SH = is64 ? SHDR64 : SHDR32;
    c.struct(0, E.size);
    const phoff = this.wordn(E.phoff);
    const shoff = this.wordn(E.shoff);
    const phentsize = b.u16(E.phentsize);
    let phnum = b.u16(E.phnum);
    const shentsize = b.u16(E.shentsize);
    let shnum = b.u16(E.shnum);
    const shstrndx = b.u16(E.shstrndx);
    const minPh = (is64 ? PHDR64 : PHDR32).size;
    const minSh = SH.entsize;
    // PN_XNUM / SHN_UNDEF overflow: the real counts live in section header 0 (sh_info, sh_size).
    if ((phnum === PN_XNUM || shnum === 0) && shoff > 0 && shentsize >= minSh && b.has(shoff, shentsize)) {
      if (phnum === PN_XNUM) phnum = b.u32(shoff + SH.info);
      if (shnum === 0) shnum = Math.min(this.wordn(shoff + SH.size), MAX_PHDRS);
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
    const PH = is64 ? PHDR64 : PHDR32;
    for (let i = 0; i < phnum && c.step(); i++) {
      const at = phoff + i * phentsize;
      const type = b.u32(at + PH.type);
      const offset = this.wordn(at + PH.offset);
      const vaddr = this.word(at + PH.vaddr);
      const fileSize = this.wordn(at + PH.filesz);
      const memSize = this.word(at + PH.memsz);
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
    const { b, c } = this;
    if (shoff === 0 || shnum === 0) return;
    if (shentsize < minSh || !b.has(shoff, shentsize * Math.min(shnum, MAX_PHDRS))) {
      c.warn(`section header table at ${hex(shoff)} lies outside the file; ignored`);
      return;
    }
    c.struct(shoff, shoff + shnum * shentsize);
    if (shstrndx < shnum) {
      const SH = this.is64 ? SHDR64 : SHDR32;
      const at = shoff + shstrndx * shentsize;
      const off = this.wordn(at + SH.offset);
      const size = this.wordn(at + SH.size);
      if (b.u32(at + SH.type) === SHT_STRTAB && size <= MAX_SHSTRTAB && b.has(off, size)) c.struct(off, off + size);
    }
  }

  private notes(start: number, end: number): void {
    const { b, c } = this;
    let pos = start;
    for (let k = 0; k < MAX_NOTES && pos + NHDR.size <= end && c.step(); k++) {
      const namesz = b.u32(pos + NHDR.namesz);
      const descsz = b.u32(pos + NHDR.descsz);
      const type = b.u32(pos + NHDR.type);
      const descAt = pos + NHDR.size + align4(namesz);
      if (descAt > end || descAt + descsz > end) {
        c.warn(`note at ${hex(pos)} (namesz ${namesz}, descsz ${descsz}) runs past its PT_NOTE; notes truncated at ${hex(pos)}; remaining bytes scanned raw`);
        return;
      }
      c.struct(pos, descAt);
      const name = b
        .slice(pos + NHDR.size, Math.min(namesz, 64))
        .toString('latin1')
        .replace(/\0.*$/s, '');
      this.note(name, type, descAt, descsz);
      pos = descAt + align4(descsz);
    }
  }

  private note(name: string, type: number, at: number, size: number): void {
    const { c, b, is64 } = this;
    const label = NOTE_NAMES.get(type) ?? `note ${name} type ${hex(type)}`;
    const end = at + size;
    if (size === 0) return;
    if (name === 'CORE' && type === NT.PRSTATUS) {
      const lay = prstatusLayout(this.machine, is64);
      const pid = lay && size >= lay.reg ? b.u32(at + lay.pid) : undefined;
      this.thread = pid !== undefined ? ` of thread ${pid}` : '';
      if (lay && pid !== undefined) {
        // the SP word (a long) must lie inside the note
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
    if (name === 'CORE' && type === NT.PRPSINFO) {
      // Numeric prefix is structure; pr_fname and pr_psargs (the command line) are redactable text.
      const P = is64 ? PRPSINFO64 : PRPSINFO32;
      const textAt = P.text;
      if (size >= textAt + PRPSINFO_TEXT) {
        c.struct(at, at + textAt);
        this.processPid = b.u32(at + P.pid);
        c.region(at + textAt, end, 'string', 'process name and arguments (NT_PRPSINFO)');
      } else c.region(at, end, 'note', label);
      return;
    }
    if (name === 'CORE' && (type === NT.AUXV || type === NT.SIGINFO)) {
      c.struct(at, end); // debuggers relocate PIE executables from auxv; siginfo says why it crashed
      c.region(at, end, 'note', label);
      if (type === NT.AUXV) this.auxv(at, end);
      return;
    }
    if (name === 'CORE' && type === NT.FILE) return this.ntFile(at, end);
    c.region(at, end, 'note', label);
  }

  private auxv(at: number, end: number): void {
    const A = auxvEntry(this.is64 ? 8 : 4);
    for (let p = at; p + A.size <= end; p += A.size) {
      const key = this.word(p + A.type);
      if (key === AT_NULL) break;
      if (key === AT_ENTRY) this.entry = this.word(p + A.value);
    }
  }

  /** NT_FILE: count, page size (a word each), (start, end, offset) word triples, then NUL-terminated names. */
  private ntFile(at: number, end: number): void {
    const { b, c, is64 } = this;
    const F = ntFileLayout(is64 ? 8 : 4);
    const claimed = this.wordn(at + F.count);
    const fit = Math.max(0, Math.floor((end - at - F.first) / F.entry));
    let count = Math.min(claimed, fit, MAX_PHDRS);
    if (!c.step(count)) count = 0;
    if (claimed > count) c.warn(`NT_FILE claims ${claimed} mappings but ${count} fit; names beyond scanned raw`);
    // the names follow the last triple
    const namesAt = at + F.first + count * F.entry;
    c.struct(at, namesAt);
    if (namesAt < end) c.region(namesAt, end, 'string', 'mapped file names (NT_FILE)');
    const names = b.slice(namesAt, end - namesAt);
    let p = 0;
    for (let i = 0; i < count; i++) {
      const z = names.indexOf(0, p);
      const stop = z < 0 ? names.length : z;
      const name = names.subarray(p, stop).toString('utf8');
      p = stop + 1;
      const t = at + F.first + i * F.entry;
      this.files.push({ start: this.word(t + F.start), end: this.word(t + F.end), name });
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
      if (!exe || s.vaddr < exeEnd || s.vaddr >= exeEnd + HEAP_WINDOW || stackOf.has(s)) continue;
      if (overlapsAny(files, s.vaddr, s.vaddr + s.memSize)) continue;
      if (s.vaddr === exeEnd)
        fallback ??= s; // bss tail or an unrandomised brk
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
      let k = Math.max(
        0,
        lastAtOrBelow(files, s.vaddr, (f) => f.start),
      );
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
  if (!probe.has(0, ehdr(4).size)) return rawFormat(size, ['ELF header truncated; whole file scanned raw']);
  const cls = probe.u8(EI_CLASS);
  const data = probe.u8(EI_DATA);
  if ((cls !== ELFCLASS32 && cls !== ELFCLASS64) || (data !== ELFDATA2LSB && data !== ELFDATA2MSB)) {
    return rawFormat(size, [`ELF class ${cls} / data ${data} unknown; whole file scanned raw`]);
  }
  const is64 = cls === ELFCLASS64;
  if (is64 && !probe.has(0, ehdr(8).size)) return rawFormat(size, ['ELF header truncated; whole file scanned raw']);
  const b = new Bytes(readAt, size, data === ELFDATA2LSB);
  const type = b.u16(EHDR_TYPE);
  if (type !== ET_CORE) return rawFormat(size, [`ELF file of type ${type} is not a core dump; scanned raw`]);
  const core = new ElfCore(b, is64, b.u16(EHDR_MACHINE));
  try {
    return core.parse();
  } catch (err) {
    if (!(err instanceof Truncated)) throw err;
    core.c.warn(`ELF core truncated at ${hex(err.offset)}; remaining bytes scanned raw`);
    return core.c.result('elf-core');
  }
}
