// Many literal needles in one pass: the buffer is sampled every `step` bytes (8, 16 or 32: the
// shortest needle decides) and each sample (a 4-byte gram) is looked up among the grams every needle
// has at offsets 0..min(2 * step - 1, len - 4). An occurrence of a needle (>= step + 3 bytes) holds a
// sample at each indexed offset of one residue mod step.
import type { Encoding, Hit } from '../types.js';
import { PAGE, uniformPage } from '../views/uniform.js';
import { LITTLE_ENDIAN } from '../views/bytes.js';

export interface Tagged {
  bytes: Buffer;
  encoding: Encoding;
  ruleId: string;
  secret: Buffer;
  note: string;
}

const MIN_LEN = 11;

/**
 * An empty list whose elements kind is already "objects": a fresh [] changes it at its first
 * push, and the optimized visit() that pushes would deopt on the new map.
 */
export function objectList<T>(): T[] {
  const list = [EMPTY_OBJECT] as T[];
  list.length = 0;
  return list;
}
const EMPTY_OBJECT = Object.freeze({});

/** Called with each sample whose gram passed the filter, ascending. */
export interface SampleSink {
  visit(i: number): void;
}

/**
 * A faster run of the two sampling loops below (a WebAssembly kernel the detectors hand in): calls
 * `visit` with each sample the reference loop would pass its filter, ascending, and returns true;
 * false (nothing called) when it cannot run.
 */
export interface GramSampler {
  /** searchAll: the samples wordSamples (below) keeps: every `step` bytes, 4-byte gram's bit set in `filter` (2^19 bits). */
  words(hay: Uint8Array, step: number, filter: Uint8Array, sink: SampleSink): boolean;
  /** RunIndex: samples every 8 bytes whose 8-byte gram hash has its bit set in `bloom` (2^20 bits). */
  runs(hay: Uint8Array, bloom: Uint8Array, sink: SampleSink): boolean;
}

/**
 * Sampling step: the largest multiple of 4 (samples stay word-aligned) up to 32 with step + 3 <=
 * the shortest indexed needle, so that an occurrence always holds a whole sampled gram.
 */
function stepFor(needles: Tagged[]): number {
  let min = Infinity;
  for (const n of needles) if (n.bytes.length >= MIN_LEN) min = Math.min(min, n.bytes.length);
  return min >= 35 ? 32 : ((min - 3) >> 2) << 2;
}

/** The buffer as little-endian 32-bit words (one load per gram word) when it is 4-byte aligned, else null: read byte by byte. */
function wordView<T>(hay: Uint8Array, View: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T): T | null {
  return LITTLE_ENDIAN && hay.byteOffset % 4 === 0 ? new View(hay.buffer, hay.byteOffset, hay.length >>> 2) : null;
}

const gramAt = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
/** The gram filter: one bit per hash slot, 2^19 slots in 64 KiB. */
const FILTER_SHIFT = 13;
export const WORD_FILTER_BYTES = 1 << (32 - FILTER_SHIFT - 3);
const slot = (g: number) => Math.imul(g, 0x9e3779b1) >>> FILTER_SHIFT;
/** All four bytes equal (zero fill, 0xff fill, "AAAA"): too common to index. */
const degenerate = (g: number) => (g & 0xff) * 0x01010101 === g;

function indexOfAll(hay: Buffer, n: Tagged, out: Hit[]): void {
  for (let at = hay.indexOf(n.bytes); at !== -1; at = hay.indexOf(n.bytes, at + n.bytes.length)) {
    out.push({ start: at, end: at + n.bytes.length, ruleId: n.ruleId, encoding: n.encoding, secret: n.secret, note: n.note });
  }
}

/**
 * The reference sampling loop of searchAll: samples i = 0, step, 2 * step, ... <= hay.length - 4
 * whose gram's bit is set in `filter`. The first sample of a uniform page jumps to the first one
 * that reads past the page: the ones it steps over read only the fill (a degenerate gram, never indexed).
 */
export function wordSamples(hay: Uint8Array, step: number, filter: Uint8Array, sink: SampleSink): void {
  const last = hay.length - 4;
  // samples are 4-byte aligned
  const words = wordView(hay, Uint32Array);
  for (let i = 0; i <= last;) {
    const p = i & ~(PAGE - 1);
    if (i - p < step && uniformPage(hay, p)) {
      i += Math.ceil((p + PAGE - 3 - i) / step) * step;
      continue;
    }
    const s = slot(words !== null ? words[i >> 2] : gramAt(hay, i));
    if ((filter[s >>> 3] & (1 << (s & 7))) !== 0) sink.visit(i);
    i += step;
  }
}

/** One searchAll call's state: the sink its samples go to (a class, so the call site stays monomorphic). */
class NeedleSearch implements SampleSink {
  readonly seen = new Set<number>();
  private readonly words: Uint32Array | null;

  constructor(
    private readonly hay: Buffer,
    private readonly table: Map<number, number[]>,
    private readonly indexed: Tagged[],
    private readonly out: Hit[],
  ) {
    this.words = wordView(hay, Uint32Array);
  }

  visit(i: number): void {
    const hay = this.hay;
    const list = this.table.get(this.words !== null ? this.words[i >> 2] : gramAt(hay, i));
    if (list === undefined) return;
    for (let q = 0; q < list.length; q++) {
      const e = list[q];
      const n = this.indexed[e >> 6];
      const x = i - (e & 63);
      const nb = n.bytes;
      const len = nb.length;
      if (x < 0 || x + len > hay.length) continue;
      // UTF-16 text shares grams with UTF-16 needles: a few byte checks here save most native compares
      let k = 0;
      while (k < 8 && hay[x + k] === nb[k]) k++;
      if (k < 8) continue;
      if (hay.compare(nb, 0, len, x, x + len) !== 0) continue;
      // one hit per (needle, start)
      // never a small integer (needle 0 too): the id stays one number type, no deopt at the second needle
      const id = ((e >> 6) + 1) * 4294967296 + x;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.out.push({ start: x, end: x + len, ruleId: n.ruleId, encoding: n.encoding, secret: n.secret, note: n.note });
    }
  }
}

/** The sampling index of one needle list: what searchAll builds before it reads the haystack. */
interface NeedleIndex {
  needles: Tagged[];
  /** Each needle's bytes when the index was built. */
  bytes: Buffer[];
  step: number;
  table: Map<number, number[]>;
  filter: Uint8Array;
  indexed: Tagged[];
  /** Needles without a gram at every residue, searched one by one (in list order). */
  unindexed: Tagged[];
}

function buildIndex(needles: Tagged[]): NeedleIndex {
  const table = new Map<number, number[]>();
  const filter = new Uint8Array(WORD_FILTER_BYTES);
  const indexed: Tagged[] = [];
  const unindexed: Tagged[] = [];
  const step = stepFor(needles);
  for (const n of needles) {
    const b = n.bytes;
    let ok = b.length >= MIN_LEN;
    // every residue mod step needs a non-degenerate gram at o or o + step (an AES-128 key of 16 bytes qualifies)
    const top = Math.min(2 * step - 1, b.length - 4);
    for (let o = 0; ok && o < step; o++) ok = !degenerate(gramAt(b, o)) || (o + step <= top && !degenerate(gramAt(b, o + step)));
    if (!ok) {
      unindexed.push(n);
      continue;
    }
    const k = indexed.push(n) - 1;
    // an occurrence at x is sampled first at offset (-x) mod step: one gram per residue is enough
    for (let r = 0; r < step; r++) {
      const o = degenerate(gramAt(b, r)) ? r + step : r;
      const g = gramAt(b, o);
      const s = slot(g);
      filter[s >>> 3] |= 1 << (s & 7);
      const list = table.get(g);
      // (needle index, offset) packed; needles < 2^20, offsets < 64
      if (list) list.push(k * 64 + o);
      else table.set(g, [k * 64 + o]);
    }
  }
  return { needles: needles.slice(), bytes: needles.map((n) => n.bytes), step, table, filter, indexed, unindexed };
}

/** The last index built: the self-hunt searches every chunk for the same (memoized) needle objects. */
let lastIndex: NeedleIndex | null = null;

function indexFor(needles: Tagged[]): NeedleIndex {
  const last = lastIndex;
  if (last !== null && last.needles.length === needles.length) {
    let same = true;
    for (let i = 0; same && i < needles.length; i++) same = last.needles[i] === needles[i] && last.bytes[i] === needles[i].bytes;
    if (same) return last;
  }
  return (lastIndex = buildIndex(needles));
}

export function searchAll(hay: Buffer, needles: Tagged[], sampler?: GramSampler): Hit[] {
  const out = objectList<Hit>();
  const ix = indexFor(needles);
  for (const n of ix.unindexed) indexOfAll(hay, n, out);
  if (!ix.indexed.length) return out;
  const sink = new NeedleSearch(hay, ix.table, ix.indexed, out);
  if (!sampler?.words(hay, ix.step, ix.filter, sink)) wordSamples(hay, ix.step, ix.filter, sink);
  return out;
}

/** A block small enough to stay in cache while every needle is searched in it. */
const BLOCK = 256 * 1024;

/**
 * Every occurrence (overlapping ones too) of each needle, ascending: one native search per needle
 * per 256 KiB block, so a chunk streams from memory once however many needles there are.
 */
export function findEach(hay: Buffer, needles: readonly Buffer[]): number[][] {
  const out = needles.map((): number[] => []);
  for (let base = 0; base < hay.length; base += BLOCK) {
    needles.forEach((n, k) => {
      // a needle starting in this block may end in the next one
      const block = hay.subarray(base, Math.min(hay.length, base + BLOCK + n.length - 1));
      for (let at = block.indexOf(n); at !== -1; at = block.indexOf(n, at + 1)) out[k].push(base + at);
    });
  }
  return out;
}

/** A needle whose pieces count too: any run of at least `minRun` of its bytes is an occurrence. */
export interface RunNeedle {
  bytes: Buffer;
  /** Shortest run reported (the whole needle when it is shorter). */
  minRun: number;
  /** Runs start and end on multiples of this from the needle's start (2 for UTF-16, 4 for UTF-32). */
  unit: number;
}

/** An occurrence of needle `needle`: hay [start, end) equals needle bytes [offset, offset + end - start). */
export interface Run {
  needle: number;
  start: number;
  end: number;
  offset: number;
}

/** Sampling step of the run search per gram width: a run of step + width - 1 bytes always holds a sampled gram (15 and 31 bytes). */
const STEP_OF: Record<number, number> = { 8: 8, 16: 16 };
/** Longest needle a RunIndex holds (offsets are 16-bit). */
const MAX_RUN_NEEDLE_BYTES = 65535;
const BLOOM_BITS = 20;

const u32 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24) | 0;

/** Hash of 2 or 4 little-endian 32-bit words. */
function mix(w0: number, w1: number, w2: number, w3: number, words: number): number {
  let h = Math.imul(w0, 0x9e3779b1) ^ w1;
  if (words === 4) h = Math.imul(h, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ w3;
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) | 0;
}

/** Hash of the gram of `words` words at byte `i` (any alignment). */
function keyAt(b: Uint8Array, i: number, words: number): number {
  return words === 4 ? mix(u32(b, i), u32(b, i + 4), u32(b, i + 8), u32(b, i + 12), 4) : mix(u32(b, i), u32(b, i + 4), 0, 0, 2);
}

/**
 * Grams of one width (8 bytes for byte-per-character forms, 16 for UTF-16/32 ones, whose narrow
 * grams hold too few characters to tell text apart) at every needle offset, hashed into flat typed
 * arrays (18 bytes per needle byte); a 128 KiB bit filter rejects most samples before the table.
 */
class GramTable {
  readonly count: number;
  readonly bloom = new Uint8Array(1 << (BLOOM_BITS - 3));
  private readonly bits: number;
  /** Table entries of slot s: [head[s], head[s + 1]). */
  readonly head: Int32Array;
  private readonly key: Int32Array;
  readonly needleOf: Uint32Array;
  readonly offsetOf: Uint16Array;
  /** The gram's first two words, compared in place of the bytes (no native call per candidate). */
  readonly word0: Int32Array;
  readonly word1: Int32Array;

  constructor(
    needles: RunNeedle[],
    members: number[],
    readonly width: number,
  ) {
    let total = 0;
    for (const n of members) total += Math.max(0, needles[n].bytes.length - width + 1);
    this.bits = Math.min(22, Math.max(10, 32 - Math.clz32(total)));
    const slots = 1 << this.bits;
    const k0 = new Int32Array(total);
    const n0 = new Uint32Array(total);
    const o0 = new Uint16Array(total);
    let k = 0;
    for (const n of members) {
      const b = needles[n].bytes;
      for (let o = 0; o + width <= b.length; o++) {
        // a periodic gram (zero fill, "abababab") is too common to index
        if (u32(b, o) === u32(b, o + 4) && (width === 8 || u32(b, o) === u32(b, o + 8))) continue;
        k0[k] = keyAt(b, o, width / 4);
        n0[k] = n;
        o0[k++] = o;
      }
    }
    this.count = k;
    const start = new Int32Array(slots + 1);
    for (let j = 0; j < k; j++) start[this.slotOf(k0[j]) + 1]++;
    for (let s = 0; s < slots; s++) start[s + 1] += start[s];
    this.head = start.slice();
    this.key = new Int32Array(k);
    this.needleOf = new Uint32Array(k);
    this.offsetOf = new Uint16Array(k);
    this.word0 = new Int32Array(k);
    this.word1 = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const at = start[this.slotOf(k0[j])]++;
      this.key[at] = k0[j];
      this.needleOf[at] = n0[j];
      this.offsetOf[at] = o0[j];
      const b = needles[n0[j]].bytes;
      this.word0[at] = u32(b, o0[j]);
      this.word1[at] = u32(b, o0[j] + 4);
      const h = k0[j] >>> (32 - BLOOM_BITS);
      this.bloom[h >>> 3] |= 1 << (h & 7);
    }
  }

  slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
  }

  keyOf(j: number): number {
    return this.key[j];
  }
}

/** Every needle piece of at least `minRun` bytes, found by sampling the input every RUN_STEP bytes. */
/** Needles sharing one gram beyond which a sample inside an already found run is skipped. */
const CROWDED = 8;

export class RunIndex {
  readonly needles: RunNeedle[];
  readonly grams: number;
  private readonly tables: GramTable[];

  /** `sampler` runs the sampling loop faster (see GramSampler); the results are the same. */
  constructor(
    needles: RunNeedle[],
    private readonly sampler?: GramSampler,
  ) {
    if (needles.some((n) => n.bytes.length > MAX_RUN_NEEDLE_BYTES)) throw new RangeError('run index needle too long');
    this.needles = needles;
    this.tables = [
      new GramTable(
        needles,
        needles.map((_, i) => i),
        8,
      ),
    ].filter((t) => t.count > 0);
    this.grams = this.tables.reduce((a, t) => a + t.count, 0);
  }

  /** Runs of needles in `hay`, each widened to the longest stretch that still matches its needle. */
  search(hay: Buffer): Run[] {
    const out = objectList<Run>();
    if (!this.grams) return out;
    const run = new RunSearch(hay, this.needles, out);
    for (const t of this.tables) {
      run.table = t;
      if (t.width === 8 && this.sampler?.runs(hay, t.bloom, run)) continue;
      const step = STEP_OF[t.width];
      const last = hay.length - t.width;
      const bloom = t.bloom;
      for (let i = 0; i <= last; i += step) {
        if ((i & (PAGE - 1)) === 0 && uniformPage(hay, i)) {
          i += PAGE - step;
          continue;
        }
        const h = run.keyOf(i) >>> (32 - BLOOM_BITS);
        if ((bloom[h >>> 3] & (1 << (h & 7))) !== 0) run.visit(i);
      }
    }
    return out;
  }
}

/** One RunIndex.search call's state: the sink its samples go to (a class: one shape, one call target). */
class RunSearch implements SampleSink {
  /** The table whose samples are visited now. */
  table: GramTable = EMPTY_TABLE;
  private readonly seen = new Set<number>();
  private coveredEnd = 0;
  /** The haystack's words when it is 4-byte aligned (chunk buffers are). */
  private readonly w: Int32Array | null;

  constructor(
    private readonly hay: Buffer,
    private readonly needles: RunNeedle[],
    private readonly out: Run[],
  ) {
    this.w = wordView(hay, Int32Array);
  }

  private word(i: number): number {
    return this.w === null ? u32(this.hay, i) : this.w[i >> 2];
  }

  /** Hash of the gram at byte i (at the table's width). */
  keyOf(i: number): number {
    return this.table.width === 8 ? mix(this.word(i), this.word(i + 4), 0, 0, 2) : keyAt(this.hay, i, this.table.width / 4);
  }

  /** The sample at i, whose gram passed the filter. */
  visit(i: number): void {
    const t = this.table;
    const hay = this.hay;
    const width = t.width;
    const w0 = this.word(i);
    const w1 = this.word(i + 4);
    const key = this.keyOf(i);
    const slot = t.slotOf(key);
    const from = t.head[slot];
    const to = t.head[slot + 1];
    // a gram many needles share (rotations of one repeated pattern) inside a stretch already
    // found: each would widen over the same bytes again, quadratic on hostile keyword runs
    if (to - from > CROWDED && i + width <= this.coveredEnd) return;
    for (let j = from; j < to; j++) {
      if (t.keyOf(j) !== key || t.word0[j] !== w0 || t.word1[j] !== w1) continue;
      const n = t.needleOf[j];
      const o = t.offsetOf[j];
      const needle = this.needles[n];
      const nb = needle.bytes;
      if (width > 8 && hay.compare(nb, o + 8, o + width, i + 8, i + width) !== 0) continue;
      let a = i;
      let ao = o;
      while (a > 0 && ao > 0 && hay[a - 1] === nb[ao - 1]) (a--, ao--);
      let z = i + width;
      let zo = o + width;
      while (z < hay.length && zo < nb.length && hay[z] === nb[zo]) (z++, zo++);
      const unit = needle.unit;
      if (unit > 1) {
        const skip = (unit - (ao % unit)) % unit;
        a += skip;
        ao += skip;
        z -= (z - a) % unit;
      }
      if (z - a < Math.min(needle.minRun, nb.length)) continue;
      const id = (n + 1) * 4294967296 + a;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (z > this.coveredEnd) this.coveredEnd = z;
      this.out.push({ needle: n, start: a, end: z, offset: ao });
    }
  }
}

/** The table a RunSearch starts with (replaced before its first sample). */
const EMPTY_TABLE = new GramTable([], [], 8);
