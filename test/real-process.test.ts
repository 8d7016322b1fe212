// Proof on a real process: a Node child holding an RSA KeyObject, a certificate and a live AES-GCM
// cipher is dumped with gcore; the detectors must find every representation that exists, and
// (once the CLI is built) `dumpscrub scrub` must leave none of them in the copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { derDetector } from '../src/detectors/der.js';
import { aesDetector, expandKey } from '../src/detectors/aes.js';
import { scheduleBytes } from './helpers/aes-schedule.js';
import { knownKeyDetector } from '../src/detectors/known-key.js';
import { cngDetector } from '../src/detectors/cng.js';
import { rsaComponents } from '../src/codec/rsa-math.js';
import { bigIntToBytes } from '../src/codec/asn1.js';
import { toJava, toLE } from '../src/codec/bignum.js';
import { parseKnownKeys } from '../src/keys/parse.js';
import type { DetectContext, Detector, Hit, KnownKey } from '../src/types.js';

const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_GCORE = which('gcore');
const HAVE_OPENSSL = which('openssl');
const CLI = resolve('dist/cli.js');
if (!HAVE_GCORE || !HAVE_OPENSSL) {
  console.warn(`\n*** real-process tests SKIPPED: ${HAVE_GCORE ? '' : 'gcore (apt-get install -y gdb) '}${HAVE_OPENSSL ? '' : 'openssl '}not installed ***\n`);
}

interface Needle {
  name: string;
  bytes: Buffer;
}

let dir = '';
let core = Buffer.alloc(0);
let corePath = '';
let needles: Needle[] = [];
let certDer = Buffer.alloc(0);
let certPem = '';
let keyPemLines: string[] = [];
let known: KnownKey;

function occurrences(hay: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) out.push(at);
  return out;
}

/** Runs detectors chunk by chunk as the pipeline does (16 MiB + overlap). */
function scan(detectors: Detector[], knownKeys: KnownKey[] = []): Hit[] {
  const CH = 16 << 20;
  const hits: Hit[] = [];
  for (let base = 0; base < core.length; base += CH) {
    const ctx: DetectContext = { knownKeys, knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
    const view = core.subarray(base, Math.min(core.length, base + CH + 65536));
    for (const d of detectors) for (const h of d.detect(view, ctx).hits) if (h.start < CH) hits.push({ ...h, start: h.start + base, end: h.end + base });
  }
  return hits;
}

const covered = (hits: Hit[], at: number, len: number) => hits.some((h) => h.start <= at && h.end >= at + len);

describe.skipIf(!HAVE_GCORE || !HAVE_OPENSSL)('real process: Node with an RSA KeyObject and an AES-GCM cipher', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-real-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=real-process.example.test', '-days', '2'], {
      stdio: 'ignore',
    });
    const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
    certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    certDer = Buffer.from(new X509Certificate(certPem).raw);
    keyPemLines = keyPem.split('\n').filter((l) => l.length === 64);
    const priv = createPrivateKey(keyPem);
    const der = priv.export({ type: 'pkcs8', format: 'der' });
    [known] = parseKnownKeys(Buffer.from(certPem), 'cert.pem');
    const jwkP = BigInt('0x' + Buffer.from(priv.export({ format: 'jwk' }).p as string, 'base64url').toString('hex'));
    const comps = rsaComponents(known.n!, known.e!, jwkP);
    const aes = randomBytes(32);
    needles = [
      { name: 'PKCS#8 DER', bytes: der },
      { name: 'AES key', bytes: aes },
    ];
    for (const [name, v] of Object.entries(comps)) {
      if (!['p', 'q', 'd', 'dp', 'dq', 'qinv'].includes(name)) continue;
      const be = bigIntToBytes(v);
      needles.push({ name: `${name} BE`, bytes: be }, { name: `${name} LE`, bytes: toLE(be) }, { name: `${name} Java`, bytes: toJava(be) });
    }
    const w: number[] = [];
    for (let i = 0; i < 32; i += 4) w.push(aes.readUInt32BE(i));
    needles.push({ name: 'AES-256 schedule', bytes: scheduleBytes(expandKey(w), false) }, { name: 'AES-256 schedule (u32)', bytes: scheduleBytes(expandKey(w), true) });

    // no JIT code range (535 MB of PROT_NONE that gcore writes as zeros), small V8 heap, one malloc
    // arena: a ~70 MB core holding the same key material
    const child = spawn(process.execPath, ['--jitless', '--max-semi-space-size=1', '--max-old-space-size=24', resolve('fixtures/gen/child-keys.mjs')], {
      stdio: ['pipe', 'pipe', 'ignore'], // --jitless prints a harmless flag warning
      env: { ...process.env, MALLOC_ARENA_MAX: '1', UV_THREADPOOL_SIZE: '1' },
    });
    child.stdin.end(Buffer.concat([Buffer.from(JSON.stringify({ keyDerB64: der.toString('base64'), certPem, keyPem }) + '\n'), aes]));
    await new Promise((r) => child.stdout.once('data', r));
    await new Promise((r) => setTimeout(r, 200));
    try {
      execFileSync('gcore', ['-o', join(dir, 'core'), String(child.pid)], { stdio: 'ignore', timeout: 60_000 });
    } finally {
      child.kill('SIGKILL');
    }
    corePath = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('core.'))!,
    );
    core = readFileSync(corePath);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every representation of the RSA key and the AES key that exists in the core', () => {
    const present = needles.map((n) => ({ ...n, at: occurrences(core, n.bytes) }));
    const summary = present.map((n) => `${n.name}: ${n.at.length}`).join(', ');
    console.log(`representations in the core (${(core.length / 1e6).toFixed(0)} MB): ${summary}`);
    // what a Node/OpenSSL process must hold: BIGNUM limbs of p, q, d and an AES schedule
    for (const must of ['p LE', 'q LE', 'd LE', 'AES-256 schedule']) expect(present.find((n) => n.name === must)!.at.length).toBeGreaterThan(0);

    const structural = scan([derDetector, cngDetector, aesDetector]);
    // the certificate alone (no DER key in hand): hunting by the public key must find it all too
    const hunted = scan([knownKeyDetector], [known]);
    for (const n of present) {
      for (const at of n.at) {
        const rsaPart = !n.name.startsWith('AES');
        expect({ what: n.name, at, found: covered(structural, at, n.bytes.length) }).toEqual({ what: n.name, at, found: true });
        if (rsaPart && n.name !== 'PKCS#8 DER') expect({ what: n.name, at, hunted: covered(hunted, at, n.bytes.length) }).toEqual({ what: n.name, at, hunted: true });
      }
    }
  });

  it('dumpscrub scrub leaves no p, q, d, DER, PEM line or AES key in the copy, and keeps the certificate', () => {
    const certBefore = occurrences(core, certDer).length + occurrences(core, Buffer.from(certPem.split('\n')[1])).length;
    const out = join(dir, 'scrubbed.core');
    const r = spawnSync(process.execPath, [CLI, 'scrub', corePath, '-o', out, '-f', 'json'], { encoding: 'utf8', timeout: 240_000 });
    expect({ status: r.status, stderr: r.stderr.slice(-500) }).toEqual({ status: 0, stderr: expect.any(String) });
    const copy = readFileSync(out);
    expect(copy.length).toBe(core.length);
    for (const n of needles) expect({ what: n.name, left: occurrences(copy, n.bytes).length }).toEqual({ what: n.name, left: 0 });
    for (const line of keyPemLines) expect(copy.includes(Buffer.from(line))).toBe(false);
    const certAfter = occurrences(copy, certDer).length + occurrences(copy, Buffer.from(certPem.split('\n')[1])).length;
    expect(certAfter).toBe(certBefore);
  }, 300_000);
});

describe.skipIf(!HAVE_GCORE || !HAVE_OPENSSL)('real process: openssl s_server holding its key', () => {
  let sdir = '';
  let score = Buffer.alloc(0);
  let scorePath = '';
  let limbs: Needle[] = [];
  let scertDer = Buffer.alloc(0);

  beforeAll(async () => {
    sdir = mkdtempSync(join(tmpdir(), 'ds-sserver-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(sdir, 'key.pem'), '-out', join(sdir, 'cert.pem'), '-subj', '/CN=s-server.example.test', '-days', '2'], {
      stdio: 'ignore',
    });
    const priv = createPrivateKey(readFileSync(join(sdir, 'key.pem')));
    scertDer = Buffer.from(new X509Certificate(readFileSync(join(sdir, 'cert.pem'))).raw);
    const jwk = priv.export({ format: 'jwk' });
    const big = (s: unknown) => BigInt('0x' + Buffer.from(s as string, 'base64url').toString('hex'));
    const comps = rsaComponents(big(jwk.n), big(jwk.e), big(jwk.p));
    limbs = ['p', 'q', 'd', 'dp', 'dq', 'qinv'].map((name) => ({ name: `${name} LE`, bytes: toLE(bigIntToBytes(comps[name])) }));
    const server = spawn('openssl', ['s_server', '-key', join(sdir, 'key.pem'), '-cert', join(sdir, 'cert.pem'), '-accept', '127.0.0.1:0', '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise((r) => setTimeout(r, 700));
    try {
      execFileSync('gcore', ['-o', join(sdir, 'core'), String(server.pid)], { stdio: 'ignore', timeout: 60_000 });
    } finally {
      server.kill('SIGKILL');
    }
    scorePath = join(
      sdir,
      readdirSync(sdir).find((f) => f.startsWith('core.'))!,
    );
    score = readFileSync(scorePath);
  }, 120_000);

  afterAll(() => {
    if (sdir) rmSync(sdir, { recursive: true, force: true });
  });

  it('self-hunt from the certificate in memory finds the BIGNUM limbs of p, q, d, dp, dq, qinv', () => {
    const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
    const fromCert = (derDetector.detect(score, ctx).learned ?? []).filter((v) => v.kind === 'public-rsa' || v.kind === 'public-ec');
    const hunted = knownKeyDetector.detect(score, { ...ctx, learned: fromCert }).hits;
    const present = limbs.map((n) => ({ name: n.name, len: n.bytes.length, at: occurrences(score, n.bytes) }));
    console.log(`openssl s_server core (${(score.length / 1e6).toFixed(1)} MB): ${present.map((n) => `${n.name}: ${n.at.length}`).join(', ')}`);
    for (const n of present) {
      expect({ what: n.name, present: n.at.length > 0 }).toEqual({ what: n.name, present: true });
      for (const at of n.at) expect({ what: n.name, at, found: covered(hunted, at, n.len) }).toEqual({ what: n.name, at, found: true });
    }
  });

  it('dumpscrub scrub removes the limbs and keeps the certificate', () => {
    const out = join(sdir, 'scrubbed.core');
    const r = spawnSync(process.execPath, [CLI, 'scrub', scorePath, '-o', out, '-f', 'json'], { encoding: 'utf8', timeout: 120_000 });
    expect({ status: r.status, stderr: r.stderr.slice(-500) }).toEqual({ status: 0, stderr: expect.any(String) });
    const copy = readFileSync(out);
    for (const n of limbs) expect({ what: n.name, left: occurrences(copy, n.bytes).length }).toEqual({ what: n.name, left: 0 });
    expect(occurrences(copy, scertDer).length).toBe(occurrences(score, scertDer).length);
  }, 180_000);
});

// A JVM core is about 1.2 GB even with small heaps: opt-in (DUMPSCRUB_REAL_JAVA=1) to keep CI fast.
const JAVA = which('javac') && process.env.DUMPSCRUB_REAL_JAVA === '1';
if (HAVE_GCORE && !JAVA) console.warn('*** real-process Java test skipped: set DUMPSCRUB_REAL_JAVA=1 (needs a JDK; ~1.2 GB core, ~40 s) ***');

describe.skipIf(!HAVE_GCORE || !JAVA)('real process: a JVM holding an RSA key and an AES cipher', () => {
  it('finds p, q, d in Java int[] order and the AES schedule in int[] order', async () => {
    const jdir = mkdtempSync(join(tmpdir(), 'ds-java-'));
    try {
      execFileSync('javac', ['-d', jdir, resolve('fixtures/gen/HoldKeys.java')]);
      const aes = randomBytes(32);
      const child = spawn(
        'java',
        [
          '-Xms8m',
          '-Xmx32m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-XX:ReservedCodeCacheSize=16m',
          '-XX:CompressedClassSpaceSize=16m',
          '-XX:ActiveProcessorCount=1',
          '-cp',
          jdir,
          'HoldKeys',
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      child.stdin.end(aes);
      const spki = await new Promise<string>((r) => {
        let s = '';
        child.stdout.on('data', (d) => {
          s += d;
          if (s.includes('\n')) r(s.trim());
        });
      });
      await new Promise((r) => setTimeout(r, 300));
      try {
        execFileSync('gcore', ['-o', join(jdir, 'core'), String(child.pid)], { stdio: 'ignore', timeout: 120_000 });
      } finally {
        child.kill('SIGKILL');
      }
      core = readFileSync(
        join(
          jdir,
          readdirSync(jdir).find((f) => f.startsWith('core.'))!,
        ),
      );
      const [jkey] = parseKnownKeys(Buffer.from(spki, 'base64'), 'jvm');
      const hits = scan([knownKeyDetector, aesDetector], [jkey]);
      const forms = new Set(hits.map((h) => (h.note ?? '').replace(/^RSA (\w+) of .*\((.*)\)$/, '$1 $2')));
      for (const want of ['p Java int[]', 'q Java int[]', 'd Java int[]']) expect({ want, found: forms.has(want) }).toEqual({ want, found: true });
      expect(hits.some((h) => h.ruleId === 'aes-schedule' && h.secret.equals(aes) && h.note?.includes('native u32'))).toBe(true);
    } finally {
      rmSync(jdir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('scrub end to end across chunks (synthetic raw image)', () => {
  it('a key factored in one chunk has its d, q limbs and PEM text redacted in other chunks; --known-key works alone', async () => {
    const { rsaKey, seeded } = await import('../fixtures/gen/keys.js');
    const k = rsaKey(2048);
    const sdir = mkdtempSync(join(tmpdir(), 'ds-chunks-'));
    try {
      const CH = 1 << 16;
      const img = seeded(8 * CH, 31);
      const dLe = toLE(bigIntToBytes(k.d));
      const qJava = toJava(bigIntToBytes(k.q));
      const pem = Buffer.from(
        k.pkcs8
          .toString('base64')
          .match(/.{1,64}/g)!
          .join('\n'),
      );
      k.pkcs8.copy(img, 1000); // chunk 0: the DER (factors n)
      dLe.copy(img, 3 * CH + 4000); // chunk 3: d as OpenSSL limbs
      qJava.copy(img, 5 * CH + 800); // chunk 5: q as Java int[]
      pem.copy(img, 6 * CH + 123); // chunk 6: the PEM body
      k.spki.copy(img, 7 * CH + 50); // chunk 7: the public key (a bare twin of the factored key)
      const input = join(sdir, 'img.bin');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(input, img);
      const out = join(sdir, 'out.bin');
      const r = spawnSync(process.execPath, [CLI, 'scrub', input, '-o', out, '--chunk-size', String(CH)], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: r.status, err: r.stderr.slice(-300) }).toEqual({ status: 0, err: expect.any(String) });
      const copy = readFileSync(out);
      for (const [name, b] of [
        ['DER', k.pkcs8],
        ['d LE', dLe],
        ['q Java', qJava],
        ['PEM body', pem],
      ] as const)
        expect({ name, left: copy.includes(b) }).toEqual({ name, left: false });
      expect(copy.includes(k.spki)).toBe(true);

      // only d's limbs and the public key given with --known-key: the factor must be hunted
      const img2 = seeded(4 * CH, 32);
      toLE(bigIntToBytes(k.p)).copy(img2, 2 * CH + 64);
      dLe.copy(img2, 3 * CH + 512);
      writeFileSync(input, img2);
      const pub = join(sdir, 'pub.der');
      writeFileSync(pub, k.spki);
      const r2 = spawnSync(process.execPath, [CLI, 'scrub', input, '-o', out, '--chunk-size', String(CH), '--known-key', pub], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: r2.status, err: r2.stderr.slice(-300) }).toEqual({ status: 0, err: expect.any(String) });
      const copy2 = readFileSync(out);
      expect(copy2.includes(toLE(bigIntToBytes(k.p)))).toBe(false);
      expect(copy2.includes(dLe)).toBe(false);
    } finally {
      rmSync(sdir, { recursive: true, force: true });
    }
  }, 120_000);
});
