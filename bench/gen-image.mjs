// Seeded generator of a memory-like image: zero pages, pointer-dense pages, ASCII and UTF-16 text,
// zlib-compressed data, code-like bytes, random heap bytes, and a few planted secrets made at run time.
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const PAGE = 4096;
const BLOCK = 16 * 1024 * 1024;
export const GENERATOR_VERSION = 5;

/** xorshift32: deterministic choices (page kinds, offsets). */
function prng(seed) {
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

/** Fast seeded byte stream: AES-256-CTR keystream. */
function keystream(seed, label) {
  const key = createHash('sha256').update(`dumpscrub-bench:${seed}:${label}`).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => c.update(Buffer.alloc(n));
}

const WORDS = (
  'the of and to in is was for on that with as by at from this be are or have an it not but which ' +
  'server client request response session cache thread worker queue buffer handler module config ' +
  'user account service endpoint timeout retry connection socket stream memory heap stack frame ' +
  'error warning info debug trace failed success started stopped loaded parsed invalid expected ' +
  'password token secret key auth credential bearer api private access'
).split(' ');
/** JSON keys: no credential words, so JSON lines do not read as password fields. */
const FIELDS = ['user', 'id', 'name', 'path', 'status', 'module', 'region', 'count', 'size', 'kind', 'host', 'port', 'retries', 'elapsed'];
const LEVELS = ['INFO', 'DEBUG', 'WARN', 'ERROR', 'TRACE'];
const PATHS = [
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/var/log/app/server.log',
  'C:\\Program Files\\App\\bin\\app.dll',
  '/home/build/src/main.cc',
  '/etc/ssl/certs/ca-certificates.crt',
  '/proc/self/maps',
];
const ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin',
  'HOME=/home/app',
  'LANG=en_US.UTF-8',
  'SHELL=/bin/bash',
  'TERM=xterm-256color',
  'JAVA_HOME=/usr/lib/jvm/java-17',
  'PWD=/srv/app',
];

/** A few MiB of text lines: logs, paths, env vars, JSON, prose; keywords appear but values are words. */
function textCorpus(rand, bytes) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const lines = [];
  let n = 0;
  while (n < bytes) {
    const r = rand();
    let line;
    if (r < 0.35) {
      const t = `2026-11-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:07.${Math.floor(rand() * 1000)}Z`;
      line = `${t} ${pick(LEVELS)} worker-${Math.floor(rand() * 16)} ${pick(WORDS)} ${pick(WORDS)} /api/v1/${pick(WORDS)}/${Math.floor(rand() * 100000)} took ${Math.floor(rand() * 900)}ms`;
    } else if (r < 0.5) line = pick(PATHS);
    else if (r < 0.6) line = pick(ENV);
    else if (r < 0.75) line = `{"${pick(FIELDS)}":"${pick(WORDS)}","${pick(FIELDS)}_count":${Math.floor(rand() * 1000)},"ok":${rand() < 0.5}}`;
    else {
      const k = 4 + Math.floor(rand() * 14);
      const w = [];
      for (let i = 0; i < k; i++) w.push(pick(WORDS));
      line = w.join(' ');
    }
    lines.push(line);
    n += line.length + 1;
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** x86-64-looking bytes: prologues, movs with REX, calls with rel32, rets, int3 padding. */
function codeCorpus(rand, bytes) {
  const out = Buffer.alloc(bytes);
  let i = 0;
  const put = (...b) => {
    for (const x of b) if (i < bytes) out[i++] = x;
  };
  const r8 = () => Math.floor(rand() * 256);
  while (i < bytes) {
    const r = rand();
    if (r < 0.1) put(0x55, 0x48, 0x89, 0xe5);
    else if (r < 0.35) put(0x48, 0x89 + (r8() & 2), 0x40 | (r8() & 0x3f), r8() & 0x78);
    else if (r < 0.5) put(0xe8, r8(), r8(), r8() & 0x0f, r8() < 128 ? 0x00 : 0xff);
    else if (r < 0.6) put(0x48, 0x8b, 0x05, r8(), r8(), 0x00, 0x00);
    else if (r < 0.7) put(0x0f, 0x84, r8(), r8() & 0x3f, 0x00, 0x00);
    else if (r < 0.8) put(0x31, 0xc0 | (r8() & 0x3f));
    else if (r < 0.85) put(0x5d, 0xc3, 0xcc, 0xcc, 0xcc, 0xcc);
    else put(0x8b, 0x40 | (r8() & 0x3f), r8() & 0x7c);
  }
  return out;
}

// ---- planted secrets (made now from the seed; only their kinds and offsets are recorded) ----

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0;
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function base62(n, width) {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = B62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}

function fromAlphabet(bytes, alphabet) {
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

const SBOX = (() => {
  const s = new Uint8Array(256);
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const x = q ^ ((q << 1) | (q >>> 7)) ^ ((q << 2) | (q >>> 6)) ^ ((q << 3) | (q >>> 5)) ^ ((q << 4) | (q >>> 4));
    s[p] = (x ^ 0x63) & 0xff;
  } while (p !== 1);
  s[0] = 0x63;
  return s;
})();

/** FIPS-197 key expansion: the 176/240-byte schedule a process keeps next to an AES context. */
function aesSchedule(key) {
  const nk = key.length / 4;
  const rounds = nk + 6;
  const w = Buffer.alloc(16 * (rounds + 1));
  key.copy(w);
  let rcon = 1;
  for (let i = nk; i < 4 * (rounds + 1); i++) {
    let t = w.subarray(4 * (i - 1), 4 * i).slice();
    if (i % nk === 0) {
      t = Buffer.from([SBOX[t[1]] ^ rcon, SBOX[t[2]], SBOX[t[3]], SBOX[t[0]]]);
      rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
    } else if (nk > 6 && i % nk === 4) t = Buffer.from([SBOX[t[0]], SBOX[t[1]], SBOX[t[2]], SBOX[t[3]]]);
    for (let j = 0; j < 4; j++) w[4 * i + j] = w[4 * (i - nk) + j] ^ t[j];
  }
  return w;
}

function plantedSecrets(seed) {
  const bytes = keystream(seed, 'secrets');
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const ghBody = fromAlphabet(bytes(30), B62);
  const ghp = `ghp_${ghBody}${base62(crc32(Buffer.from(ghBody, 'latin1')), 6)}`;
  const aws = `aws_access_key_id = AKIA${fromAlphabet(bytes(16), upper)}\naws_secret_access_key = ${fromAlphabet(bytes(40), b64)}\n`;
  const slack = `xoxb-${1e11 + (bytes(4).readUInt32LE() % 9e11)}-${1e11 + (bytes(4).readUInt32LE() % 9e11)}-${fromAlphabet(bytes(24), B62)}`;
  const stripe = `sk_live_${fromAlphabet(bytes(32), B62)}`;
  const b64url = (b) => b.toString('base64url');
  const jwt = `${b64url(Buffer.from('{"alg":"HS256","typ":"JWT"}'))}.${b64url(Buffer.from(`{"sub":"${bytes(6).toString('hex')}","iat":1763900000}`))}.${b64url(bytes(32))}`;
  // DER first, then re-import: exporting a generated key in other forms can hang Node 20
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  const pem = createPrivateKey({ key: rsa.privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  return [
    { kind: 'github-pat', bytes: Buffer.from(`token=${ghp}\n`, 'latin1') },
    { kind: 'github-pat-utf16', bytes: Buffer.from(`GITHUB_TOKEN=${ghp}`, 'utf16le') },
    { kind: 'aws-keypair', bytes: Buffer.from(aws, 'latin1') },
    { kind: 'slack-bot-token', bytes: Buffer.from(`SLACK_BOT_TOKEN=${slack}\n`, 'latin1') },
    { kind: 'stripe-secret-key', bytes: Buffer.from(`stripe.api_key = "${stripe}"\n`, 'latin1') },
    { kind: 'jwt-utf16', bytes: Buffer.from(`Authorization: Bearer ${jwt}`, 'utf16le') },
    { kind: 'pem-private-key', bytes: Buffer.from(pem, 'latin1') },
    { kind: 'der-pkcs8-ec', bytes: ec.privateKey },
    { kind: 'der-pkcs1-rsa', bytes: createPrivateKey({ key: rsa.privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'der' }) },
    { kind: 'aes-256-schedule', bytes: aesSchedule(bytes(32)) },
    { kind: 'aes-128-schedule', bytes: aesSchedule(bytes(16)) },
  ];
}

/**
 * What a TLS client or server holds beside its secrets: leaf certificates (cA FALSE, RSA of three
 * sizes and P-256, made by openssl) and bare SPKI public keys. Public, never findings: each one
 * makes the self-hunt look for its private half over the whole image.
 */
export function publicMaterial() {
  const out = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-bench-cert-'));
  try {
    for (const [name, alg] of [
      ['rsa2048', ['-newkey', 'rsa:2048']],
      ['rsa3072', ['-newkey', 'rsa:3072']],
      ['rsa4096', ['-newkey', 'rsa:4096']],
      ['p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ]) {
      const cert = path.join(dir, `${name}.der`);
      const r = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          ...alg,
          '-nodes',
          '-keyout',
          path.join(dir, 'k.pem'),
          '-subj',
          `/CN=${name}.bench.example`,
          '-addext',
          'basicConstraints=critical,CA:FALSE',
          '-days',
          '30',
          '-outform',
          'DER',
          '-out',
          cert,
        ],
        { stdio: 'ignore', timeout: 120_000 },
      );
      if (r.status === 0) out.push({ kind: `leaf-cert-${name}`, bytes: fs.readFileSync(cert) });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const bits of [2048, 3072]) {
    const k = generateKeyPairSync('rsa', { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
    out.push({ kind: `spki-rsa${bits}`, bytes: k.publicKey });
  }
  return out;
}

/** Page kinds and their share of the image. */
const MIX = [
  ['zero', 0.28],
  ['pointers', 0.18],
  ['ascii', 0.14],
  ['utf16', 0.08],
  ['zlib', 0.1],
  ['code', 0.12],
  ['random', 0.1],
];

/**
 * Write `size` bytes to `file`; returns a manifest (page mix, secret kinds and offsets, no values).
 * Each secret is planted `copies` times, on page-aligned offsets + a small shift, never across each other.
 */
export function generateImage(file, size, seed = 1, copies = 3) {
  const rand = prng(seed);
  const ks = keystream(seed, 'pages');
  const text = textCorpus(rand, 8 * 1024 * 1024);
  const wide = Buffer.from(text.toString('latin1'), 'utf16le');
  const packed = zlib.deflateSync(text, { level: 6 });
  const code = codeCorpus(rand, 2 * 1024 * 1024);
  const cut = (src) => {
    const o = Math.floor(rand() * (src.length - PAGE)) & ~1;
    return src.subarray(o, o + PAGE);
  };
  const secrets = plantedSecrets(seed);
  const plants = [];
  const pages = Math.floor(size / PAGE);
  const used = new Set();
  // public keys sit in noise: two random or compressed pages each side of theirs
  const forced = new Map();
  for (const s of publicMaterial()) {
    for (let c = 0; c < copies; c++) {
      let p;
      do p = 2 + Math.floor(rand() * Math.max(1, pages - 5));
      while ([-3, -2, -1, 0, 1, 2, 3].some((d) => used.has(p + d)));
      const kind = c % 2 ? 'zlib' : 'random';
      for (let d = -2; d <= 2; d++) {
        used.add(p + d);
        forced.set(p + d, kind);
      }
      plants.push({ kind: s.kind, offset: p * PAGE + 64 + Math.floor(rand() * 512) * 2, length: s.bytes.length, bytes: s.bytes, public: true });
    }
  }
  for (const s of secrets) {
    for (let c = 0; c < copies; c++) {
      let p;
      do p = Math.floor(rand() * Math.max(1, pages - 2));
      while (used.has(p) || used.has(p + 1) || used.has(p - 1));
      used.add(p);
      plants.push({ kind: s.kind, offset: p * PAGE + 64 + Math.floor(rand() * 512) * 2, length: s.bytes.length, bytes: s.bytes });
    }
  }
  plants.sort((a, b) => a.offset - b.offset);
  const counts = Object.fromEntries(MIX.map(([k]) => [k, 0]));
  const fd = fs.openSync(file, 'w');
  try {
    const block = Buffer.alloc(BLOCK);
    for (let base = 0; base < size; base += BLOCK) {
      const len = Math.min(BLOCK, size - base);
      const b = block.subarray(0, len);
      const rnd = ks(len);
      for (let off = 0; off < len; off += PAGE) {
        const n = Math.min(PAGE, len - off);
        let r = rand();
        let kind = MIX[MIX.length - 1][0];
        for (const [k, share] of MIX) {
          if (r < share) {
            kind = k;
            break;
          }
          r -= share;
        }
        kind = forced.get((base + off) / PAGE) ?? kind;
        counts[kind]++;
        const page = b.subarray(off, off + n);
        if (kind === 'zero') page.fill(0);
        else if (kind === 'random') rnd.copy(page, 0, off, off + n);
        else if (kind === 'ascii') cut(text).copy(page, 0, 0, n);
        else if (kind === 'utf16') cut(wide).copy(page, 0, 0, n);
        else if (kind === 'zlib') cut(packed).copy(page, 0, 0, n);
        else if (kind === 'code') cut(code).copy(page, 0, 0, n);
        else {
          // user-space pointers (0x00007fxx…/0x000055…), small ints and zeros, 8-byte aligned
          for (let q = 0; q + 8 <= n; q += 8) {
            const v = rnd.readUInt32LE(off + (q & ~7));
            const t = v & 3;
            page.writeUInt32LE(t === 3 ? v & 0xff : (v & 0xfffffff8) >>> 0, q);
            page.writeUInt32LE(t === 0 ? 0x7ffd : t === 1 ? 0x5555 : t === 2 ? 0x7f3a : 0, q + 4);
          }
        }
      }
      for (const p of plants) {
        if (p.offset + p.length <= base || p.offset >= base + len) continue;
        const from = Math.max(0, base - p.offset);
        const to = Math.min(p.length, base + len - p.offset);
        p.bytes.copy(b, p.offset + from - base, from, to);
      }
      fs.writeSync(fd, b, 0, len);
    }
  } finally {
    fs.closeSync(fd);
  }
  return {
    generator: GENERATOR_VERSION,
    seed,
    size,
    pages: counts,
    planted: plants.filter((p) => !p.public).map(({ kind, offset, length }) => ({ kind, offset, length })),
    public: plants.filter((p) => p.public).map(({ kind, offset, length }) => ({ kind, offset, length })),
  };
}

/** "256M", "1G", "4096", "1.5G" → bytes. */
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(String(s).trim());
  if (!m) throw new Error(`bad size: ${s}`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * mult);
}

/** `size` seeded random bytes, then `tail` (a certificate, say): the self-hunt's worst input. */
export function generateNoise(file, size, seed, tail = Buffer.alloc(0)) {
  const ks = keystream(seed, 'noise');
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < size; off += BLOCK) fs.writeSync(fd, ks(Math.min(BLOCK, size - off)));
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
}
