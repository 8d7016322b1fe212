// Memory-like 4 KiB pages for eval images: zero, pointer-dense, random heap bytes, zlib streams, log text.
import { createCipheriv, createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export const PAGE = 4096;

/** Seeded xorshift32 in [0, 1): layouts are reproducible, planted values come from node:crypto. */
export function prng(seed) {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** Seeded byte stream (AES-256-CTR keystream), for reproducible random pages. */
export function keystream(seed) {
  const key = createHash('sha256').update(`dumpscrub-eval:${seed}`).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => c.update(Buffer.alloc(n));
}

export function zeroPage() {
  return Buffer.alloc(PAGE);
}

/** Little-endian user-space pointers mixed with small integers, as heap and stack pages hold them. */
export function pointerPage(rand) {
  const b = Buffer.alloc(PAGE);
  const base = 0x7f0000000000n + BigInt(Math.floor(rand() * 0xffffff)) * 0x1000n;
  for (let o = 0; o < PAGE; o += 8) {
    const r = rand();
    if (r < 0.7) b.writeBigUInt64LE(base + BigInt(Math.floor(rand() * 0x100000)) * 8n, o);
    else if (r < 0.85) b.writeBigUInt64LE(BigInt(Math.floor(rand() * 4096)), o);
  }
  return b;
}

export function randomPage(bytes) {
  return bytes(PAGE);
}

const WORDS =
  'the request server client thread worker queue buffer memory cache error info debug connection timeout retry module library version loaded started stopped window document element function object string handler'.split(
    ' ',
  );

/** Log-like text, the kind a process keeps in heap buffers. */
export function textLines(rand, bytes) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  let s = '';
  while (s.length < bytes) {
    const n = 3 + Math.floor(rand() * 10);
    const w = [];
    for (let i = 0; i < n; i++) w.push(pick(WORDS));
    s += `2026-12-0${1 + Math.floor(rand() * 9)}T1${Math.floor(rand() * 10)}:${10 + Math.floor(rand() * 50)}:00Z INFO worker-${Math.floor(rand() * 16)} ${w.join(' ')}\n`;
  }
  return s.slice(0, bytes);
}

/** A zlib stream of log text, padded or cut to a page. */
export function zlibPage(rand) {
  const z = deflateSync(Buffer.from(textLines(rand, 16384)));
  const b = Buffer.alloc(PAGE);
  z.copy(b, 0, 0, Math.min(PAGE, z.length));
  return b;
}
