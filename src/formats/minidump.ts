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

/**
 * MINIDUMP_STREAM_TYPE values (minidumpapiset.h), then Crashpad's ('CP' 0x4350xxxx), Breakpad's
 * ('Gg' 0x4767xxxx) and Mozilla's ('Mz' 0x4d7axxxx) own. The key is the name reports print.
 */
const STREAM = {
  ThreadList: 3,
  ModuleList: 4,
  MemoryList: 5,
  Exception: 6,
  SystemInfo: 7,
  ThreadExList: 8,
  Memory64List: 9,
  CommentStreamA: 10,
  CommentStreamW: 11,
  HandleData: 12,
  FunctionTable: 13,
  UnloadedModuleList: 14,
  MiscInfo: 15,
  MemoryInfoList: 16,
  ThreadInfoList: 17,
  HandleOperationList: 18,
  Token: 19,
  JavaScriptData: 20,
  SystemMemoryInfo: 21,
  ProcessVmCounters: 22,
  IptTrace: 23,
  ThreadNames: 24,
  CrashpadInfo: 0x43500001,
  BreakpadInfo: 0x47670001,
  AssertionInfo: 0x47670002,
  LinuxCpuInfo: 0x47670003,
  LinuxProcStatus: 0x47670004,
  LinuxLsbRelease: 0x47670005,
  LinuxCmdLine: 0x47670006,
  LinuxEnviron: 0x47670007,
  LinuxAuxv: 0x47670008,
  LinuxMaps: 0x47670009,
  LinuxDsoDebug: 0x4767000a,
  MozMacosCrashInfo: 0x4d7a0001,
  MozMacosBootargs: 0x4d7a0002,
  MozLinuxLimits: 0x4d7a0003,
  MozSoftErrors: 0x4d7a0004,
} as const;

const STREAM_NAMES = new Map<number, string>(Object.entries(STREAM).map(([name, type]) => [type, name]));

/** Fixed-layout numeric streams: every byte is structure a debugger reads. */
const ALL_STRUCTURAL = new Set<number>([STREAM.FunctionTable, STREAM.MiscInfo, STREAM.ThreadInfoList, STREAM.SystemMemoryInfo, STREAM.ProcessVmCounters, STREAM.BreakpadInfo, STREAM.LinuxAuxv]);
/** Streams that are lists of descriptors (their payloads live elsewhere in the file). */
const DESCRIPTOR_STREAMS = new Set<number>([
  STREAM.ThreadList,
  STREAM.ModuleList,
  STREAM.MemoryList,
  STREAM.Exception,
  STREAM.SystemInfo,
  STREAM.ThreadExList,
  STREAM.Memory64List,
  STREAM.HandleData,
  STREAM.UnloadedModuleList,
  STREAM.MemoryInfoList,
  STREAM.ThreadNames,
  STREAM.CrashpadInfo,
  STREAM.AssertionInfo,
]);

// Struct layouts (little-endian, packed as in minidumpapiset.h). Offsets are byte offsets inside the
// struct; each follows from the sizes of the fields before it, written out term by term.

/** MINIDUMP_HEADER: Signature, Version (low 16 bits 0xa793), NumberOfStreams, StreamDirectoryRva, CheckSum, TimeDateStamp, Flags (u64). */
const HEADER = { version: 4, streamCount: 4 + 4, directoryRva: 4 + 4 + 4, size: 4 * 6 + 8 } as const;
const MDMP_VERSION = 0xa793;
/** The Version field's low half holds MDMP_VERSION; the high half is implementation-specific. */
const MDMP_VERSION_MASK = 0xffff;
/** MINIDUMP_DIRECTORY: StreamType, then a MINIDUMP_LOCATION_DESCRIPTOR { DataSize, Rva }. */
const DIRENT = { type: 0, dataSize: 4, rva: 4 + 4, size: 12 } as const;
/**
 * MINIDUMP_THREAD: ThreadId, SuspendCount, PriorityClass, Priority (4 x u32), Teb (u64) = 24; then
 * Stack, a MINIDUMP_MEMORY_DESCRIPTOR { StartOfMemoryRange u64, Memory { DataSize, Rva } } = 16;
 * then ThreadContext { DataSize, Rva }. MINIDUMP_THREAD_EX appends BackingStore (16 more bytes).
 */
const THREAD = { id: 0, stackVa: 4 * 4 + 8, stackSize: 24 + 8, stackRva: 24 + 8 + 4, contextSize: 24 + 16, contextRva: 24 + 16 + 4, size: 24 + 16 + 8, sizeEx: 48 + 16 } as const;
/**
 * MINIDUMP_MODULE: BaseOfImage u64, SizeOfImage, CheckSum, TimeDateStamp, ModuleNameRva = 24;
 * VersionInfo (VS_FIXEDFILEINFO, 13 x u32 = 52) ends at 76; CvRecord { DataSize, Rva } at 76;
 * MiscRecord (8) and two reserved u64 make 108.
 */
const MODULE = { base: 0, imageSize: 8, nameRva: 8 + 4 + 4 + 4, cvSize: 24 + 52, cvRva: 24 + 52 + 4, size: 76 + 8 + 8 + 8 + 8 } as const;
/** CodeView records: 'RSDS' = signature + GUID (16) + age = 24 bytes; 'NB10' = signature + offset + timestamp + age = 16; then the PDB path. */
const CV_RSDS = 0x53445352;
const CV_NB10 = 0x3031424e;
const CV_RSDS_FIXED = 4 + 16 + 4;
const CV_NB10_FIXED = 4 * 4;
/** MINIDUMP_MEMORY_DESCRIPTOR: StartOfMemoryRange u64, then Memory { DataSize, Rva }. */
const MEMDESC = { va: 0, dataSize: 8, rva: 8 + 4, size: 16 } as const;
/** MINIDUMP_MEMORY64_LIST: NumberOfMemoryRanges u64, BaseRva u64; then MINIDUMP_MEMORY_DESCRIPTOR64 { StartOfMemoryRange u64, DataSize u64 }. */
const MEM64 = { count: 0, baseRva: 8, first: 8 + 8, va: 0, dataSize: 8, size: 16 } as const;
/** MINIDUMP_EXCEPTION_STREAM: ThreadId, alignment, ExceptionRecord (MINIDUMP_EXCEPTION, 152 bytes) = 160; then ThreadContext { DataSize, Rva }. */
const EXCEPTION = { threadId: 0, contextSize: 4 + 4 + 152, contextRva: 160 + 4, size: 160 + 8 } as const;
/**
 * MINIDUMP_SYSTEM_INFO: ProcessorArchitecture, ProcessorLevel, ProcessorRevision (u16 each),
 * NumberOfProcessors, ProductType (u8 each) = 8; MajorVersion, MinorVersion, BuildNumber, PlatformId
 * (u32 each) = 24; CSDVersionRva at 24; SuiteMask, Reserved2 (u16 each) and CPU_INFORMATION (24) = 56.
 */
const SYSINFO = { csdRva: 2 * 3 + 1 + 1 + 4 * 4, size: 24 + 4 + 2 + 2 + 24 } as const;
/**
 * Lists with their own header size and entry size (handles, unloaded modules, memory info):
 * SizeOfHeader, SizeOfEntry (or SizeOfDescriptor), then the entry count.
 */
const SIZED_LIST = { headerSize: 0, entrySize: 4, count: 4 + 4 } as const;
/**
 * MINIDUMP_HANDLE_DATA_STREAM header: SizeOfHeader, SizeOfDescriptor, NumberOfDescriptors, Reserved
 * = 16. A MINIDUMP_HANDLE_DESCRIPTOR: Handle u64, TypeNameRva, ObjectNameRva, then counts; an entry
 * must hold at least the two RVAs (8 + 4 + 4 = 16).
 */
const HANDLE = { minHeader: 4 * 4, minEntry: 8 + 4 + 4, typeNameRva: 8, objectNameRva: 8 + 4 } as const;
/** MINIDUMP_UNLOADED_MODULE_LIST header: SizeOfHeader, SizeOfEntry, NumberOfEntries = 12; an entry: BaseOfImage u64, SizeOfImage, CheckSum, TimeDateStamp, ModuleNameRva = 24. */
const UNLOADED = { minHeader: 3 * 4, minEntry: 8 + 4 * 4, nameRva: 8 + 4 + 4 + 4 } as const;
/**
 * MINIDUMP_MEMORY_INFO_LIST header: SizeOfHeader, SizeOfEntry, NumberOfEntries u64 = 16. A
 * MINIDUMP_MEMORY_INFO: BaseAddress u64, AllocationBase u64, AllocationProtect, alignment = 24;
 * RegionSize u64 at 24; State, Protect, Type at 32, 36, 40; alignment (4); 48 in all.
 */
const MEMINFO = { minHeader: 4 + 4 + 8, minEntry: 40 + 4 + 4, base: 0, regionSize: 8 + 8 + 4 + 4, state: 24 + 8, protect: 32 + 4, type: 36 + 4 } as const;
/** MINIDUMP_THREAD_NAME_LIST: NumberOfThreadNames, then MINIDUMP_THREAD_NAME { ThreadId, RvaOfThreadName u64 } (12, packed). */
const THREAD_NAME = { first: 4, id: 0, nameRva: 4, size: 4 + 8 } as const;
/** Breakpad MDRawAssertionInfo: expression, function, file (128 UTF-16 units = 256 bytes each), then line and type (u32 each). */
const ASSERTION = { text: 128 * 2, lineAndType: 3 * 256, size: 3 * 256 + 4 + 4 } as const;
/** Field names of the three assertion texts, in file order. */
const ASSERTION_TEXTS = ['expression', 'function', 'file'] as const;
/**
 * Crashpad MinidumpCrashpadInfo: version, report_id (UUID, 16), client_id (16) = 36; then
 * simple_annotations { DataSize, Rva } at 36 and module_list { DataSize, Rva } at 44; 52 in all.
 */
const CRASHPAD = { annotationsSize: 4 + 16 + 16, annotationsRva: 36 + 4, modulesSize: 36 + 8, modulesRva: 44 + 4, size: 52 } as const;
/** MinidumpModuleCrashpadInfoLink: minidump_module_list_index, then location { DataSize, Rva } (12). */
const CRASHPAD_LINK = { infoSize: 4, infoRva: 4 + 4, size: 12 } as const;
/**
 * MinidumpModuleCrashpadInfo: version, then three location descriptors { DataSize, Rva }:
 * list_annotations at 4, simple_annotations at 12, annotation_objects at 20; 28 in all.
 */
const CRASHPAD_MODULE = { listSize: 4, listRva: 4 + 4, dictSize: 4 + 8, dictRva: 12 + 4, objectsSize: 4 + 16, objectsRva: 20 + 4, size: 28 } as const;
/** MinidumpSimpleStringDictionaryEntry: key Rva, value Rva (8). */
const DICT_ENTRY = { key: 0, value: 4, size: 8 } as const;
/** MinidumpAnnotation: name Rva, type u16, reserved u16, value Rva (12). */
const ANNOTATION = { name: 0, value: 4 + 2 + 2, size: 12 } as const;
/** A list of these structs starts with a u32 count. */
const COUNT = 4;
/** An RVA: a u32 file offset (Crashpad's list annotations are a count, then one RVA per string). */
const RVA = 4;
/** MINIDUMP_STRING and MinidumpUTF8String: a u32 length, then the bytes. */
const LENGTH = 4;
/** Old Breakpad-for-macOS lists put 4 bytes of padding between the count and the entries. */
const OLD_LIST_PADDING = 4;
/** CONTEXT_AMD64 is 1232 bytes and keeps ContextFlags after six u64 home slots (6 x 8 = 0x30); other CPUs' contexts start with it. */
const CONTEXT_AMD64_SIZE = 1232;
const CONTEXT_AMD64_FLAGS = 6 * 8;
/** MEMORY_BASIC_INFORMATION values: State MEM_COMMIT, Type MEM_PRIVATE / MEM_MAPPED / MEM_IMAGE, Protect PAGE_READWRITE | PAGE_EXECUTE_READWRITE. */
const MEM_COMMIT = 0x1000;
const MEM_PRIVATE = 0x20000;
const MEM_MAPPED = 0x40000;
const MEM_IMAGE = 0x1000000;
const PAGE_WRITABLE = 0x04 | 0x40;

const streamName = (type: number): string => STREAM_NAMES.get(type) ?? `stream type ${hex(type)}`;

interface MemRange {
  va: bigint;
  size: number;
  rva: number;
}
interface Thread {
  id: number;
  stackVa: bigint;
  stackSize: number;
  stackRva: number;
}
interface Module {
  base: bigint;
  size: number;
  name: string;
}
interface MemInfo {
  base: bigint;
  size: bigint;
  state: number;
  protect: number;
  type: number;
}

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
    if (!b.has(0, HEADER.size)) {
      c.warn('minidump header truncated; whole file scanned raw');
      return c.result('minidump');
    }
    c.struct(0, HEADER.size);
    const version = b.u32(HEADER.version);
    if ((version & MDMP_VERSION_MASK) !== MDMP_VERSION) c.warn(`minidump version ${hex(version)} unexpected; parsing anyway`);
    const nStreams = b.u32(HEADER.streamCount);
    const dirRva = b.u32(HEADER.directoryRva);
    const fit = dirRva < b.size ? Math.floor((b.size - dirRva) / DIRENT.size) : 0;
    let n = nStreams;
    if (n > fit) {
      c.warn(`stream directory truncated at ${hex(dirRva + fit * DIRENT.size)} (${nStreams} streams claimed, ${fit} fit); remaining bytes scanned raw`);
      n = fit;
    }
    if (n > MAX_STREAMS) {
      c.warn(`stream directory lists ${n} streams; only the first ${MAX_STREAMS} parsed, remaining bytes scanned raw`);
      n = MAX_STREAMS;
    }
    c.struct(dirRva, dirRva + n * DIRENT.size);
    const seen = new Set<string>();
    const listDone = new Set<number>();
    for (let i = 0; i < n && c.step(); i++) {
      const at = dirRva + i * DIRENT.size;
      const type = b.u32(at + DIRENT.type);
      let size = b.u32(at + DIRENT.dataSize);
      const rva = b.u32(at + DIRENT.rva);
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
      case STREAM.ThreadList:
        return this.threadList(rva, size, THREAD.size);
      case STREAM.ThreadExList:
        return this.threadList(rva, size, THREAD.sizeEx);
      case STREAM.ModuleList:
        return this.moduleList(rva, size);
      case STREAM.MemoryList:
        return this.memoryList(rva, size);
      case STREAM.Memory64List:
        return this.memory64List(rva, size);
      case STREAM.Exception:
        return this.exception(rva, size);
      case STREAM.SystemInfo:
        return this.systemInfo(rva, size);
      case STREAM.HandleData:
        return this.handleData(rva, size);
      case STREAM.UnloadedModuleList:
        return this.unloadedModules(rva, size);
      case STREAM.MemoryInfoList:
        return this.memoryInfoList(rva, size);
      case STREAM.ThreadNames:
        return this.threadNamesList(rva, size);
      case STREAM.CrashpadInfo:
        return this.crashpadInfo(rva, size);
      case STREAM.AssertionInfo:
        return this.assertionInfo(rva, size);
      default:
        return; // text or opaque: redactable, scanned as a whole
    }
  }

  /** Count + entries; accepts the old Breakpad-macOS layout with 4 bytes of padding after the count. */
  private list(rva: number, size: number, entrySize: number, name: string): { first: number; count: number } {
    const claimed = this.b.u32(rva);
    let first = rva + COUNT;
    // count + padding + entries fills the stream exactly: the old layout
    if (claimed * entrySize + COUNT + OLD_LIST_PADDING === size) first = rva + COUNT + OLD_LIST_PADDING;
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
      const id = b.u32(e + THREAD.id);
      const stackVa = b.u64(e + THREAD.stackVa);
      const stackSize = b.u32(e + THREAD.stackSize);
      const stackRva = b.u32(e + THREAD.stackRva);
      this.threads.push({ id, stackVa, stackSize, stackRva });
      this.context(b.u32(e + THREAD.contextSize), b.u32(e + THREAD.contextRva), `registers of thread ${id}`);
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
    const flagsAt = ctxSize === CONTEXT_AMD64_SIZE ? CONTEXT_AMD64_FLAGS : 0;
    c.struct(ctxRva + flagsAt, ctxRva + flagsAt + 4);
  }

  private moduleList(rva: number, size: number): void {
    const { b, c } = this;
    const { first, count } = this.list(rva, size, MODULE.size, 'ModuleList');
    c.struct(rva, first + count * MODULE.size);
    for (let i = 0; i < count; i++) {
      const e = first + i * MODULE.size;
      const base = b.u64(e + MODULE.base);
      const imageSize = b.u32(e + MODULE.imageSize);
      const name = this.mdString(b.u32(e + MODULE.nameRva), 'module name') ?? `module ${i}`;
      this.modules.push({ base, size: imageSize, name });
      this.codeView(b.u32(e + MODULE.cvSize), b.u32(e + MODULE.cvRva), name);
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
    const fixed = sig === CV_RSDS ? CV_RSDS_FIXED : sig === CV_NB10 ? CV_NB10_FIXED : Math.min(size, 4096);
    c.struct(rva, rva + Math.min(fixed, size));
    if (size > fixed) c.region(rva + fixed, rva + size, 'string', `debug file name of ${baseName(module)}`);
  }

  private memoryList(rva: number, size: number): void {
    const { b, c } = this;
    const { first, count } = this.list(rva, size, MEMDESC.size, 'MemoryList');
    c.struct(rva, first + count * MEMDESC.size);
    for (let i = 0; i < count; i++) {
      const e = first + i * MEMDESC.size;
      this.addRange(b.u64(e + MEMDESC.va), b.u32(e + MEMDESC.dataSize), b.u32(e + MEMDESC.rva), `MemoryList range ${i}`);
    }
  }

  private memory64List(rva: number, size: number): void {
    const { b, c } = this;
    const claimed = b.u64n(rva + MEM64.count);
    // the ranges' bytes lie back to back from BaseRva on
    let cursor = b.u64n(rva + MEM64.baseRva);
    const count = this.capCount(claimed === Infinity ? 2 ** 32 : claimed, rva + MEM64.first, rva + size, MEM64.size, 'Memory64List');
    c.struct(rva, rva + MEM64.first + count * MEM64.size);
    for (let i = 0; i < count; i++) {
      const e = rva + MEM64.first + i * MEM64.size;
      const va = b.u64(e + MEM64.va);
      const len = b.u64n(e + MEM64.dataSize);
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
    const fixed = Math.min(size, EXCEPTION.size);
    c.struct(rva, rva + fixed);
    if (fixed < EXCEPTION.size) throw new Truncated(rva, EXCEPTION.size);
    this.context(b.u32(rva + EXCEPTION.contextSize), b.u32(rva + EXCEPTION.contextRva), `registers at exception (thread ${b.u32(rva + EXCEPTION.threadId)})`);
  }

  private systemInfo(rva: number, size: number): void {
    this.c.struct(rva, rva + Math.min(size, SYSINFO.size));
    if (size >= SYSINFO.csdRva + RVA) this.mdString(this.b.u32(rva + SYSINFO.csdRva), 'CSD version');
  }

  private handleData(rva: number, size: number): void {
    const { b, c } = this;
    const hdr = b.u32(rva + SIZED_LIST.headerSize);
    const entry = b.u32(rva + SIZED_LIST.entrySize);
    if (hdr < HANDLE.minHeader || entry < HANDLE.minEntry || hdr > size) {
      c.warn(`HandleData stream at ${hex(rva)} has an odd header (${hdr}/${entry}); scanned raw`);
      return;
    }
    const count = this.capCount(b.u32(rva + SIZED_LIST.count), rva + hdr, rva + size, entry, 'HandleData');
    c.struct(rva, rva + hdr + count * entry);
    for (let i = 0; i < count; i++) {
      const e = rva + hdr + i * entry;
      this.mdString(b.u32(e + HANDLE.typeNameRva), 'handle type name');
      this.mdString(b.u32(e + HANDLE.objectNameRva), 'handle object name');
    }
  }

  private unloadedModules(rva: number, size: number): void {
    const { b, c } = this;
    const hdr = b.u32(rva + SIZED_LIST.headerSize);
    const entry = b.u32(rva + SIZED_LIST.entrySize);
    if (hdr < UNLOADED.minHeader || entry < UNLOADED.minEntry || hdr > size) {
      c.warn(`UnloadedModuleList at ${hex(rva)} has an odd header (${hdr}/${entry}); scanned raw`);
      return;
    }
    const count = this.capCount(b.u32(rva + SIZED_LIST.count), rva + hdr, rva + size, entry, 'UnloadedModuleList');
    c.struct(rva, rva + hdr + count * entry);
    for (let i = 0; i < count; i++) this.mdString(b.u32(rva + hdr + i * entry + UNLOADED.nameRva), 'unloaded module name');
  }

  private memoryInfoList(rva: number, size: number): void {
    const { b, c } = this;
    c.struct(rva, rva + size);
    const hdr = b.u32(rva + SIZED_LIST.headerSize);
    const entry = b.u32(rva + SIZED_LIST.entrySize);
    if (hdr < MEMINFO.minHeader || entry < MEMINFO.minEntry || hdr > size) {
      c.warn(`MemoryInfoList at ${hex(rva)} has an odd header (${hdr}/${entry}); protections unknown`);
      return;
    }
    const claimed = b.u64n(rva + SIZED_LIST.count);
    const count = this.capCount(claimed === Infinity ? 2 ** 32 : claimed, rva + hdr, rva + size, entry, 'MemoryInfoList');
    for (let i = 0; i < count; i++) {
      const e = rva + hdr + i * entry;
      this.memInfo.push({
        base: b.u64(e + MEMINFO.base),
        size: b.u64(e + MEMINFO.regionSize),
        state: b.u32(e + MEMINFO.state),
        protect: b.u32(e + MEMINFO.protect),
        type: b.u32(e + MEMINFO.type),
      });
    }
  }

  private threadNamesList(rva: number, size: number): void {
    const { b, c } = this;
    const count = this.capCount(b.u32(rva), rva + THREAD_NAME.first, rva + size, THREAD_NAME.size, 'ThreadNames');
    c.struct(rva, rva + THREAD_NAME.first + count * THREAD_NAME.size);
    for (let i = 0; i < count; i++) {
      const e = rva + THREAD_NAME.first + i * THREAD_NAME.size;
      const nameRva = b.u64n(e + THREAD_NAME.nameRva);
      const name = nameRva < b.size ? this.mdString(nameRva, 'thread name') : undefined;
      if (name) this.threadNames.set(b.u32(e + THREAD_NAME.id), name);
    }
  }

  private assertionInfo(rva: number, size: number): void {
    // expression, function, file: redactable text; line and type: structure
    const T = ASSERTION.text;
    for (let i = 0; i < ASSERTION_TEXTS.length && size >= (i + 1) * T; i++) this.c.region(rva + i * T, rva + (i + 1) * T, 'string', `assertion ${ASSERTION_TEXTS[i]}`);
    if (size >= ASSERTION.size) this.c.struct(rva + ASSERTION.lineAndType, rva + ASSERTION.size);
  }

  private crashpadInfo(rva: number, size: number): void {
    const { b, c } = this;
    c.struct(rva, rva + Math.min(size, CRASHPAD.size));
    if (size < CRASHPAD.size) return;
    this.dictionary(b.u32(rva + CRASHPAD.annotationsSize), b.u32(rva + CRASHPAD.annotationsRva), 'crashpad annotation');
    const listSize = b.u32(rva + CRASHPAD.modulesSize);
    const listRva = b.u32(rva + CRASHPAD.modulesRva);
    if (listSize < COUNT || !b.has(listRva, listSize)) return;
    const count = this.capCount(b.u32(listRva), listRva + COUNT, listRva + listSize, CRASHPAD_LINK.size, 'CrashpadModuleInfoList');
    c.struct(listRva, listRva + COUNT + count * CRASHPAD_LINK.size);
    for (let i = 0; i < count; i++) {
      const link = listRva + COUNT + i * CRASHPAD_LINK.size;
      const infoSize = b.u32(link + CRASHPAD_LINK.infoSize);
      const info = b.u32(link + CRASHPAD_LINK.infoRva);
      if (infoSize < CRASHPAD_MODULE.size || !b.has(info, infoSize)) continue;
      c.struct(info, info + CRASHPAD_MODULE.size);
      this.rvaStringList(b.u32(info + CRASHPAD_MODULE.listSize), b.u32(info + CRASHPAD_MODULE.listRva));
      this.dictionary(b.u32(info + CRASHPAD_MODULE.dictSize), b.u32(info + CRASHPAD_MODULE.dictRva), 'crashpad module annotation');
      this.annotationObjects(b.u32(info + CRASHPAD_MODULE.objectsSize), b.u32(info + CRASHPAD_MODULE.objectsRva));
    }
  }

  private dictionary(size: number, rva: number, label: string): void {
    const { b, c } = this;
    if (size < COUNT || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + COUNT, rva + size, DICT_ENTRY.size, label);
    c.struct(rva, rva + COUNT + count * DICT_ENTRY.size);
    for (let i = 0; i < count; i++) {
      const e = rva + COUNT + i * DICT_ENTRY.size;
      this.utf8String(b.u32(e + DICT_ENTRY.key), `${label} key`);
      this.utf8String(b.u32(e + DICT_ENTRY.value), `${label} value`);
    }
  }

  private rvaStringList(size: number, rva: number): void {
    const { b, c } = this;
    if (size < COUNT || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + COUNT, rva + size, RVA, 'crashpad list annotations');
    c.struct(rva, rva + COUNT + count * RVA);
    for (let i = 0; i < count; i++) this.utf8String(b.u32(rva + COUNT + i * RVA), 'crashpad list annotation');
  }

  private annotationObjects(size: number, rva: number): void {
    const { b, c } = this;
    if (size < COUNT || !b.has(rva, size)) return;
    const count = this.capCount(b.u32(rva), rva + COUNT, rva + size, ANNOTATION.size, 'crashpad annotation objects');
    c.struct(rva, rva + COUNT + count * ANNOTATION.size);
    for (let i = 0; i < count; i++) {
      const e = rva + COUNT + i * ANNOTATION.size;
      this.utf8String(b.u32(e + ANNOTATION.name), 'crashpad annotation name');
      this.utf8String(b.u32(e + ANNOTATION.value), 'crashpad annotation value');
    }
  }

  /** MinidumpUTF8String / MinidumpByteArray: u32 length (structure) + bytes (redactable). */
  private utf8String(rva: number, label: string): void {
    const { b, c } = this;
    if (rva === 0 || !b.has(rva, LENGTH)) return;
    const len = b.u32(rva);
    c.struct(rva, rva + LENGTH);
    if (len > 0 && b.has(rva + LENGTH, len)) c.region(rva + LENGTH, rva + LENGTH + len, 'string', label);
  }

  /** MINIDUMP_STRING: u32 byte length (structure) + UTF-16LE (redactable). Returns the text. */
  private mdString(rva: number, label: string): string | undefined {
    const { b, c } = this;
    if (rva === 0 || !b.has(rva, LENGTH)) return undefined;
    const len = b.u32(rva);
    if (len > MAX_STRING || !b.has(rva + LENGTH, len)) {
      c.warn(`${label} at ${hex(rva)} claims ${len} bytes past the end of the file; ignored`);
      return undefined;
    }
    c.struct(rva, rva + LENGTH);
    // whole UTF-16 units only: an odd length leaves its last byte out of the text
    const text = b.slice(rva + LENGTH, len & ~1).toString('utf16le');
    c.region(rva + LENGTH, rva + LENGTH + len, 'string', `${label} ${baseName(text)}`.slice(0, 200));
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
      const mi = findContaining(
        info,
        r.va,
        (m) => m.base,
        (m) => m.base + m.size,
      );
      const heap = mi && mi.type === MEM_PRIVATE && (mi.protect & PAGE_WRITABLE) !== 0 && mi.state === MEM_COMMIT;
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
        let k = Math.max(
          0,
          lastAtOrBelow(byVa, t.stackVa, (m) => m.va),
        );
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
  return t === MEM_PRIVATE ? 'private' : t === MEM_MAPPED ? 'mapped' : t === MEM_IMAGE ? 'image' : `type ${hex(t)}`;
}

export function parseMinidump(b: Bytes): FormatInfo {
  return new Minidump(b).parse();
}
