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

/** Largest sampling step every needle long enough to index still fits: step + 3 <= length. */
function stepFor(needles: Tagged[]): number {
  let min = Infinity;
  for (const n of needles) if (n.bytes.length >= MIN_LEN) min = Math.min(min, n.bytes.length);
  return min >= 35 ? 32 : min >= 19 ? 16 : 8;
}

const gramAt = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const slot = (g: number) => Math.imul(g, 0x9e3779b1) >>> 16;
/** All four bytes equal (zero fill, 0xff fill, "AAAA"): too common to index. */
const degenerate = (g: number) => (g & 0xff) * 0x01010101 === g;

function indexOfAll(hay: Buffer, n: Tagged, out: Hit[]): void {
  for (let at = hay.indexOf(n.bytes); at !== -1; at = hay.indexOf(n.bytes, at + n.bytes.length)) {
    out.push({ start: at, end: at + n.bytes.length, ruleId: n.ruleId, encoding: n.encoding, secret: n.secret, note: n.note });
  }
}

export function searchAll(hay: Buffer, needles: Tagged[]): Hit[] {
  const out: Hit[] = [];
  const table = new Map<number, Array<number>>();
  const bloom = new Uint8Array(1 << 16);
  const indexed: Tagged[] = [];
  const step = stepFor(needles);
  for (const n of needles) {
    const b = n.bytes;
    let ok = b.length >= MIN_LEN;
    // last indexed offset: a sample at offset o reads needle bytes o..o+3
    const top = Math.min(2 * step - 1, b.length - 4);
    // every residue mod step needs a non-degenerate gram (an AES-128 key of 16 bytes qualifies)
    for (let o = 0; ok && o < step; o++) ok = !degenerate(gramAt(b, o)) || (o + step <= top && !degenerate(gramAt(b, o + step)));
    if (!ok) {
      indexOfAll(hay, n, out);
      continue;
    }
    const k = indexed.push(n) - 1;
    for (let o = 0; o <= top; o++) {
      const g = gramAt(b, o);
      if (degenerate(g)) continue;
      bloom[slot(g)] = 1;
      const list = table.get(g);
      // (needle index, offset) packed; needles < 2^20, offsets < 64
      if (list) list.push(k * 64 + o);
      else table.set(g, [k * 64 + o]);
    }
  }
  if (!indexed.length) return out;
  const seen = new Set<number>();
  const last = hay.length - 4;
  // samples are 4-byte aligned: one word load each when the buffer is
  const words = LITTLE_ENDIAN && hay.byteOffset % 4 === 0 ? new Uint32Array(hay.buffer, hay.byteOffset, hay.length >>> 2) : null;
  for (let i = 0; i <= last; i += step) {
    // every sample of a uniform page is a degenerate gram, and those are never indexed
    if ((i & (PAGE - 1)) === 0 && uniformPage(hay, i)) {
      i += PAGE - step;
      continue;
    }
    const g = words !== null ? words[i >> 2] : gramAt(hay, i);
    if (!bloom[slot(g)]) continue;
    const list = table.get(g);
    if (!list) continue;
    for (const e of list) {
      const n = indexed[e >> 6];
      const x = i - (e & 63);
      const len = n.bytes.length;
      if (x < 0 || x + len > hay.length) continue;
      // UTF-16 text shares grams with UTF-16 needles: a few byte checks here save most native compares
      const nb = n.bytes;
      let k = 0;
      while (k < 8 && hay[x + k] === nb[k]) k++;
      if (k < 8) continue;
      if (hay.compare(nb, 0, len, x, x + len) !== 0) continue;
      // one hit per (needle, start): an occurrence spans two samples
      const id = (e >> 6) * 4294967296 + x;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ start: x, end: x + len, ruleId: n.ruleId, encoding: n.encoding, secret: n.secret, note: n.note });
    }
  }
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
