// Seeded generator of memory-like images without secrets: zero pages, pointer-dense pages,
// ASCII and UTF-16LE text (words, paths, env vars, log lines, certificates), zlib pages,
// random pages and code-like pages. Reusable by any test or benchmark.
import { deflateSync } from 'node:zlib';

const PAGE = 4096;

/** xorshift32: fast, seeded, good enough for filler. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you ' +
  'were her she there been one all we their has would when if so no will more can said who about them out then ' +
  'request response server client thread worker queue buffer memory cache error warning info debug failed success ' +
  'connection timeout retry user session token password key secret config update install module library version ' +
  'reset expired invalid missing required loaded started stopped window document element function object string'
).split(' ');
const PATHS = [
  '/usr/bin',
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/home/user/project/src/main.ts',
  'C:\\Windows\\System32\\kernel32.dll',
  '/var/log/syslog',
  '/etc/ssl/certs/ca-certificates.crt',
  'C:\\Program Files\\App\\app.exe',
  '/proc/self/maps',
  '/tmp/.X11-unix/X0',
  '/usr/share/locale/en_US/LC_MESSAGES/libc.mo',
];
const ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/home/user',
  'LANG=en_US.UTF-8',
  'PWD=/home/user/project',
  'SHELL=/bin/bash',
  'TERM=xterm-256color',
  'USER=user',
  'LOGNAME=user',
  'XDG_RUNTIME_DIR=/run/user/1000',
  'NODE_ENV=production',
  'JAVA_HOME=/usr/lib/jvm/java-17',
  'SystemRoot=C:\\Windows',
  'PROCESSOR_ARCHITECTURE=AMD64',
  'OLDPWD=/home/user',
  'SSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.1234',
  'LESSOPEN=| /usr/bin/lesspipe %s',
];
const SYMS = [
  '_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE',
  '_ZN4node6BufferL8NewSliceERKN2v820FunctionCallbackInfoINS1_5ValueEEE',
  'EVP_DigestSignInit',
  'SSL_CTX_use_PrivateKey_file',
  'pthread_mutex_lock',
  'GetProcAddress',
  'RtlAllocateHeap',
  'malloc_consolidate',
  '_ZN2v88internal7Isolate4InitEPNS0_16SnapshotDataEPS2_S5_b',
  'std::vector<int>::push_back',
  'System.Collections.Generic.Dictionary`2',
  'java/lang/String',
];

function pick<T>(r: () => number, a: T[]): T {
  return a[r() % a.length];
}
function hex(r: () => number, n: number): string {
  let s = '';
  while (s.length < n) s += r().toString(16).padStart(8, '0');
  return s.slice(0, n);
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function b64(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += B64[r() & 63];
  return s;
}

/** One line of memory-like text. */
function line(r: () => number): string {
  switch (r() % 9) {
    case 0:
      return pick(r, ENV);
    case 1:
      return pick(r, PATHS);
    case 2:
      return `2024-0${1 + (r() % 9)}-1${r() % 10}T12:${10 + (r() % 50)}:00Z INFO [worker-${r() % 16}] ${pick(r, WORDS)} ${pick(r, WORDS)} id=${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)} in ${r() % 900}ms`;
    case 3:
      return `sha256:${hex(r, 64)}  ${pick(r, PATHS)}`;
    case 4: {
      // CA bundles sit in every TLS process: certificate armor is public
      const body: string[] = [];
      for (let i = 0; i < 4; i++) body.push(b64(r, 64));
      return `-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n${b64(r, 20)}==\n-----END CERTIFICATE-----`;
    }
    case 5:
      return pick(r, SYMS);
    case 6:
      return `{"id":${r() % 100000},"name":"${pick(r, WORDS)}","enabled":${r() & 1 ? 'true' : 'false'},"path":"${pick(r, PATHS).replace(/\\/g, '\\\\')}"}`;
    default: {
      const n = 4 + (r() % 12);
      const w: string[] = [];
      for (let i = 0; i < n; i++) w.push(pick(r, WORDS));
      return w.join(' ') + '.';
    }
  }
}

function textPool(r: () => number, bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const l = line(r);
    parts.push(l);
    n += l.length + 1;
  }
  return parts.join(r() & 1 ? '\n' : '\0');
}

export interface MemImageMix {
  zero: number;
  pointers: number;
  ascii: number;
  utf16: number;
  zlib: number;
  random: number;
  code: number;
}
export const DEFAULT_MIX: MemImageMix = { zero: 30, pointers: 20, ascii: 12, utf16: 8, zlib: 10, random: 8, code: 12 };
/** Text only (logs, config, env): the worst case for the rules engine. */
export const TEXT_MIX: MemImageMix = { zero: 0, pointers: 0, ascii: 100, utf16: 0, zlib: 0, random: 0, code: 0 };

/** A memory-like image of `size` bytes, deterministic for a seed. Contains no secrets. */
export function makeMemImage(size: number, seed = 1, mix: MemImageMix = DEFAULT_MIX): Buffer {
  const r = xorshift(seed);
  const out = Buffer.alloc(size);
  const ascii = Buffer.from(textPool(r, 1 << 20), 'latin1');
  const utf16 = Buffer.from(textPool(r, 1 << 19), 'utf16le');
  const z = deflateSync(Buffer.from(textPool(r, 1 << 21), 'latin1'));
  const code = Buffer.alloc(1 << 18);
  const ops = [0x48, 0x89, 0xe5, 0x55, 0xc3, 0xe8, 0x8b, 0x45, 0xf8, 0x0f, 0x1f, 0x44, 0x00, 0x83, 0xec, 0x20, 0x5d, 0x74, 0xeb];
  for (let i = 0; i < code.length; i++) code[i] = ops[r() % ops.length];
  for (let i = 0; i < code.length - 64; i += 4096) code.write(SYMS[r() % SYMS.length] + '\0', i + (r() % 3000), 'latin1');
  const kinds = Object.entries(mix) as Array<[keyof MemImageMix, number]>;
  const total = kinds.reduce((a, [, w]) => a + w, 0);
  const u32 = new Uint32Array(PAGE / 4);
  for (let off = 0; off < size; off += PAGE) {
    const len = Math.min(PAGE, size - off);
    let k = r() % total;
    let kind: keyof MemImageMix = 'zero';
    for (const [name, w] of kinds) {
      if (k < w) {
        kind = name;
        break;
      }
      k -= w;
    }
    const copyFrom = (src: Buffer): void => {
      const at = r() % (src.length - PAGE);
      src.copy(out, off, at, at + len);
    };
    // text pages hold whole NUL/newline-separated strings: start after a separator, end with NULs
    const copyText = (src: Buffer, unit: number): void => {
      let at = r() % (src.length - 2 * PAGE);
      while (at < src.length - PAGE && !(src[at] === 10 || src[at] === 0)) at += unit;
      at += unit;
      src.copy(out, off, at, at + len);
      out.fill(0, off + Math.max(0, len - 2 * unit), off + len);
    };
    switch (kind) {
      case 'zero':
        break;
      case 'pointers':
        for (let i = 0; i < u32.length; i += 2) {
          const t = r() % 4;
          u32[i] = t === 0 ? r() & 0xffff : t === 3 ? 0 : (r() & 0xfffffff0) >>> 0;
          u32[i + 1] = t === 1 ? 0x7f00 + (r() & 0xff) : t === 2 ? 0x5600 + (r() & 0xff) : 0;
        }
        Buffer.from(u32.buffer).copy(out, off, 0, len);
        break;
      case 'ascii':
        copyText(ascii, 1);
        break;
      case 'utf16':
        copyText(utf16, 2);
        break;
      case 'zlib':
        copyFrom(z);
        break;
      case 'random':
        for (let i = 0; i < u32.length; i++) u32[i] = r();
        Buffer.from(u32.buffer).copy(out, off, 0, len);
        break;
      case 'code':
        copyFrom(code);
        break;
    }
  }
  return out;
}

/** Write `text` at `offset` as ascii or UTF-16LE; returns the byte span written. */
export function plant(buf: Buffer, offset: number, text: string, encoding: 'ascii' | 'utf16le'): { start: number; end: number } {
  const bytes = Buffer.from(text, encoding === 'ascii' ? 'latin1' : 'utf16le');
  bytes.copy(buf, offset);
  return { start: offset, end: offset + bytes.length };
}

/** Bytes covered by the union of hit spans, per million bytes of input. */
export function ppm(hits: Array<{ start: number; end: number }>, size: number): number {
  const spans = hits.map((h) => [h.start, h.end]).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = -1;
  for (const [s, e] of spans) {
    if (e <= end) continue;
    covered += e - Math.max(s, end);
    end = e;
  }
  return (covered / size) * 1e6;
}
