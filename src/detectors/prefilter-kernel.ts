// The keyword prefilter's word loop and exact check in WebAssembly (kernels/text-scan.ts), the same
// keyword hits as the JavaScript loop in prefilter.ts, which runs without it.
import { AT, CAP, KEYWORD_AREA, resident, textKernel, upload } from './text-kernel.js';

/** The tables the loop and the exact check read: one keyword index's. */
export interface PrefilterTables {
  pair: Uint8Array;
  folded: Int32Array;
  uniformKeyword: Uint8Array;
  slotKey: Int32Array;
  slotFirst: Int32Array;
  slotCount: Int32Array;
  ids: Int32Array;
  /** Each keyword's bytes (lower case), their offsets in it and lengths, by keyword id. */
  kwBytes: Uint8Array;
  kwOff: Int32Array;
  kwLen: Int32Array;
  lower: Uint8Array;
  /** Most keyword ids sharing one prefix. */
  maxBucket: number;
}

/** Whether the WebAssembly loop runs (else the JavaScript one). */
export function prefilterKernelLoaded(): boolean {
  return textKernel() !== null;
}

const bytesOf = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The reference loop's steps i = lo, lo + 8, ... < hi over buf[0, end), and the exact check of every
 * start they pass, in WebAssembly: keyword ids and starts are pushed to kw and pos, ascending; false
 * (nothing pushed) without the kernel or when the index does not fit it.
 */
export function prefilterFind(t: PrefilterTables, buf: Uint8Array, end: number, lo: number, hi: number, skip: number, kw: number[], pos: number[]): boolean {
  const k = textKernel();
  // a step checks at most 8 starts (one near a uniform page), each matching at most maxBucket keywords
  const need = 16 * t.maxBucket + 2;
  const area = 12 * t.kwLen.length + t.kwBytes.length + 64;
  if (!k || need > CAP || area > KEYWORD_AREA) return false;
  upload(k, buf);
  const ids = AT.keywords;
  const kwOff = (ids + t.ids.byteLength + 15) & ~15;
  const kwLen = kwOff + t.kwOff.byteLength;
  const kwBytes = kwLen + t.kwLen.byteLength;
  if (resident.prefilter !== t) {
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(t.pair, AT.pair);
    mem.set(bytesOf(t.folded), AT.folded);
    mem.set(t.uniformKeyword, AT.uniformKeyword);
    mem.set(bytesOf(t.slotKey), AT.slotKey);
    mem.set(bytesOf(t.slotFirst), AT.slotFirst);
    mem.set(bytesOf(t.slotCount), AT.slotCount);
    mem.set(t.lower, AT.lower);
    mem.set(bytesOf(t.ids), ids);
    mem.set(bytesOf(t.kwOff), kwOff);
    mem.set(bytesOf(t.kwLen), kwLen);
    mem.set(t.kwBytes, kwBytes);
    resident.prefilter = t;
  }
  k.setKeywords(AT.slotKey, AT.slotFirst, AT.slotCount, ids, kwOff, kwLen, kwBytes, AT.lower);
  for (let from = lo; from >= 0;) {
    from = k.find(AT.input, from, hi, end, skip, AT.pair, AT.folded, AT.uniformKeyword, AT.out, CAP, need);
    const got = new Int32Array(k.memory.buffer, AT.out, k.written());
    for (let j = 0; j < got.length; j += 2) {
      kw.push(got[j]);
      pos.push(got[j + 1]);
    }
  }
  return true;
}
