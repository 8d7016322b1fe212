// Armored base64 (PEM/MIME bodies): which high-entropy lines belong to public material. A line of
// a certificate or public key is left alone; a line of a private key, or of a block whose header
// was overwritten (freed malloc chunks lose their first 16 bytes), is not.
import { readTlv, TAG } from '../codec/asn1.js';
import { decodesToPublic } from './public-base64.js';

const B64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') B64[c.charCodeAt(0)] = 1;

const MAX_LINE = 76;
const MAX_LINES = 400;

/** Length of the line break starting at i: LF, CRLF, JSON "\n" or "\r\n"; 0 if none. */
function breakAt(buf: Uint8Array, i: number): number {
  if (buf[i] === 10) return 1;
  if (buf[i] === 13) return buf[i + 1] === 10 ? 2 : 1;
  if (buf[i] === 92 && buf[i + 1] === 110) return 2;
  if (buf[i] === 92 && buf[i + 1] === 114) return buf[i + 2] === 92 && buf[i + 3] === 110 ? 4 : 2;
  return 0;
}

/** Length of the line break ending at i; 0 if none. */
function breakBefore(buf: Uint8Array, i: number): number {
  if (i >= 1 && buf[i - 1] === 10) return i >= 2 && buf[i - 2] === 13 ? 2 : 1;
  if (i >= 2 && buf[i - 2] === 92 && buf[i - 1] === 110) return i >= 4 && buf[i - 4] === 92 && buf[i - 3] === 114 ? 4 : 2;
  if (i >= 1 && buf[i - 1] === 13) return 1;
  if (i >= 2 && buf[i - 2] === 92 && buf[i - 1] === 114) return 2;
  return 0;
}

/** Length of the base64 run starting at i, up to 81. */
function runAt(buf: Uint8Array, i: number): number {
  let e = i;
  while (e < buf.length && e - i <= MAX_LINE && B64[buf[e]] === 1) e++;
  return e - i;
}

/** Start of the base64 line ending at p (a JSON escape letter before it is not part of the line). */
function lineStart(buf: Uint8Array, p: number): number {
  let q = p;
  while (q > 0 && p - q <= MAX_LINE && B64[buf[q - 1]] === 1) q--;
  if (q > 0 && q < p && buf[q - 1] === 92 && (buf[q] === 110 || buf[q] === 114)) q++;
  return q;
}

/**
 * True if buf[s, e) sits in a block of base64 lines: its own length or a neighbour's is the armor
 * width (64 or 76), or a neighbour is a BEGIN/END marker or the padded last line.
 */
export function isArmorLine(buf: Uint8Array, s: number, e: number): boolean {
  const L = e - s;
  if (L > MAX_LINE) return false;
  // PEM and MIME widths, or any width of 40+ (a multiple of 4) shared with a neighbouring line
  const armor = (n: number): boolean => n === 64 || n === 76 || (n === L && L >= 40 && L % 4 === 0);
  const after = e < buf.length ? breakAt(buf, e) : 0;
  if (after) {
    const next = e + after;
    const n = runAt(buf, next);
    if (armor(L) || armor(n) || (n >= 4 && buf[next + n - 1] === 61) || buf[next] === 45) return true;
  }
  const before = breakBefore(buf, s);
  if (before) {
    const p = s - before;
    const q = lineStart(buf, p);
    if (armor(L) || armor(p - q) || (p > 0 && buf[p - 1] === 45)) return true;
  }
  return false;
}

/** [start, end) of the armor block around the line at s: consecutive base64 lines. */
function blockAround(buf: Uint8Array, s: number, e: number): [number, number] {
  let start = s;
  for (let k = 0; k < MAX_LINES; k++) {
    const b = breakBefore(buf, start);
    if (!b) break;
    const p = start - b;
    const q = lineStart(buf, p);
    if (q === p || p - q > MAX_LINE) break;
    start = q;
  }
  let end = e;
  for (let k = 0; k < MAX_LINES; k++) {
    const b = breakAt(buf, end);
    if (!b) break;
    const n = runAt(buf, end + b);
    if (n === 0 || n > MAX_LINE) break;
    end = end + b + n;
  }
  return [start, end];
}

/** The lines of block buf[start, end) as a flat list of [start, end) pairs (breaks left out). */
export function armorLines(buf: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  let i = start;
  while (i < end) {
    const ls = i;
    while (i < end && B64[buf[i]] === 1) i++;
    if (i > ls) out.push(ls, i);
    const b = breakAt(buf, i);
    if (b === 0) break;
    i += b;
  }
  return out;
}

/** Position of needle in buf[from, to), the last one when `last`; -1 if absent. */
function indexOfAscii(buf: Uint8Array, from: number, to: number, needle: string, last = false): number {
  const lo = Math.max(0, from);
  const win = Buffer.from(buf.buffer, buf.byteOffset + lo, Math.max(0, Math.min(buf.length, to) - lo));
  const i = last ? win.lastIndexOf(needle, undefined, 'latin1') : win.indexOf(needle, 0, 'latin1');
  return i < 0 ? -1 : lo + i;
}

/** The base64 lines of buf[start, end) joined (each full line is 4-char aligned, so they join). */
function joinBlock(buf: Uint8Array, start: number, end: number): Buffer {
  const lines = armorLines(buf, start, end);
  const parts: Buffer[] = [];
  for (let k = 0; k < lines.length; k += 2) parts.push(Buffer.from(buf.buffer, buf.byteOffset + lines[k], lines[k + 1] - lines[k]));
  return Buffer.concat(parts);
}

/** A SubjectPublicKeyInfo: SEQUENCE { SEQUENCE algorithm, BIT STRING key } (a fragment may be cut short). */
function looksSpki(der: Buffer): boolean {
  if (der.length < 16) return false;
  const outer = readTlv(der, 0, Number.MAX_SAFE_INTEGER);
  if (outer?.tag !== TAG.SEQUENCE) return false;
  const alg = readTlv(der, outer.body, Number.MAX_SAFE_INTEGER);
  return alg?.tag === TAG.SEQUENCE && der[alg.end] === TAG.BIT_STRING;
}

/**
 * A block whose marker was lost: public if it decodes (at any phase: the first line may be cut by
 * a page boundary) to certificate, CSR or CRL structure, or its start to a SubjectPublicKeyInfo.
 */
function looksPublicBlock(text: Buffer): boolean {
  return decodesToPublic(text, 0, text.length) || looksSpki(Buffer.from(text.toString('latin1'), 'base64'));
}

/** The last block judged, so its other lines are not judged again. */
export interface ArmorCache {
  start: number;
  end: number;
  pub: boolean;
}

/**
 * True if the armor line at buf[s, e) belongs to public material: its block sits under a BEGIN
 * marker that is not a private key, or (marker lost) decodes to a certificate or public key.
 */
export function isPublicArmor(buf: Uint8Array, s: number, e: number, cache: ArmorCache): boolean {
  if (s >= cache.start && e <= cache.end) return cache.pub;
  const [start, end] = blockAround(buf, s, e);
  const head = indexOfAscii(buf, start - 200, start, 'BEGIN ', true);
  const tail = indexOfAscii(buf, end, end + 40, 'END ');
  let pub: boolean;
  if (head >= 0 || tail >= 0) {
    const at = head >= 0 ? head : tail;
    pub = indexOfAscii(buf, at, at + 60, 'PRIVATE') < 0;
  } else pub = looksPublicBlock(joinBlock(buf, start, end));
  Object.assign(cache, { start, end, pub });
  return pub;
}
