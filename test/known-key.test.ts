import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, randomBytes } from 'node:crypto';
import { knownKeyDetector, knownSecretDetector } from '../src/detectors/known-key.js';
import { huntFactors } from '../src/detectors/factor-hunt.js';
import { parseKnownKeys, parseKnownSecrets, KnownKeyError } from '../src/keys/parse.js';
import { toJava, toLE } from '../src/codec/bignum.js';
import { rsaComponents } from '../src/codec/rsa-math.js';
import type { DetectContext, Hit, KnownKey } from '../src/types.js';
import { beBytes, ecKey, okpKey, rsaKey, seeded } from '../fixtures/gen/keys.js';

function ctx(knownKeys: KnownKey[], knownSecrets: Buffer[] = []): DetectContext {
  return { knownKeys, knownSecrets, extraViews: [], entropy: 'off', learned: [] };
}

const covered = (hits: Hit[], start: number, len: number) => hits.some((h) => h.start <= start && h.end >= start + len);

const rsa = rsaKey(2048);
const pem = createPublicKey({ key: rsa.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;

function place(bg: Buffer, at: number, v: Buffer): number {
  v.copy(bg, at);
  return at;
}

describe('known-key: RSA', () => {
  const [known] = parseKnownKeys(Buffer.from(pem), 'test.pem');

  for (const [name, enc] of [
    ['little-endian limbs', toLE],
    ['big-endian', (b: Buffer) => b],
    ['Java int[]', toJava],
  ] as const) {
    it(`finds p stored as ${name}, then d and q in every encoding`, () => {
      const bg = seeded(1 << 20, 21);
      const pAt = place(bg, 40_000, enc(beBytes(rsa.p)));
      const dLe = toLE(beBytes(rsa.d));
      const dAt = place(bg, 300_008, dLe);
      const qHex = Buffer.from(beBytes(rsa.q).toString('hex'));
      const qAt = place(bg, 500_001, qHex);
      const dB64 = Buffer.from(beBytes(rsa.d).toString('base64url'), 'utf16le');
      const bAt = place(bg, 700_003, dB64);
      const { hits, learned } = knownKeyDetector.detect(bg, ctx([known]));
      expect(covered(hits, pAt, 128)).toBe(true);
      expect(covered(hits, dAt, dLe.length)).toBe(true);
      expect(covered(hits, qAt, qHex.length)).toBe(true);
      expect(covered(hits, bAt, dB64.length - 8)).toBe(true);
      expect(hits.every((h) => h.ruleId === 'known-key' && !h.note?.match(/[0-9a-f]{32}/))).toBe(true);
      // the factored key goes back to the pipeline so that other chunks and the verify pass search literally
      expect(learned?.length === 1 && learned[0].kind === 'rsa-factor' && learned[0].n === rsa.n).toBe(true);
    });
  }

  it('finds p next to and across zero pages (skipped whole) and among heap-like words, in each order', () => {
    const t = { n: rsa.n, len: 128, top16: Number((rsa.n >> 1024n) >> 1008n), topMin: 0x80 };
    // odd, high-topped, never-zero words: they pass the cheap filters and reach the sieve
    const heap = Buffer.alloc(4096);
    for (let i = 0; i < heap.length; i += 4) heap.writeUInt32LE(((0x9e3779b1 * (i + 1)) | 0x80000001) >>> 0, i);
    for (const enc of [toLE, (b: Buffer) => b, toJava]) {
      for (const at of [8192, 16384 - 128, 24576 - 64, 32768 + 4]) {
        const bg = Buffer.alloc(64 * 1024);
        heap.copy(bg, 40960);
        place(bg, at, enc(beBytes(rsa.p)));
        const p = huntFactors(bg, [t]).get(t);
        expect(p === rsa.p || p === rsa.q, `at ${at}`).toBe(true);
      }
    }
  });

  it('finds nothing for an unrelated key and in noise', () => {
    const other = rsaKey(2048);
    const bg = seeded(1 << 20, 22);
    place(bg, 4096, toLE(beBytes(other.p)));
    expect(knownKeyDetector.detect(bg, ctx([known])).hits).toHaveLength(0);
  });

  it('derives the CRT values OpenSSL stores', () => {
    const c = rsaComponents(rsa.n, rsa.e, rsa.p);
    expect(c.p === rsa.p && c.q === rsa.q).toBe(true);
    expect(c.d === rsa.d || c['d (mod phi)'] === rsa.d).toBe(true);
  });

  it('finds no 2048-bit factor in random data', () => {
    // its cost per GiB is measured by `npm run bench`, not here
    const bg = seeded(8 << 20, 23);
    const t = { n: rsa.n, len: 128, top16: Number((rsa.n >> 1024n) >> 1008n), topMin: 0x80 };
    expect(huntFactors(bg, [t]).size).toBe(0);
  });
});

describe('known-key: EC and Ed25519', () => {
  it('finds a P-256 scalar stored little-endian at 8-byte alignment', () => {
    const ec = ecKey('P-256');
    const key: KnownKey = { kind: 'ec', curve: 'P-256', publicKey: ec.point, label: 'test' };
    const bg = Buffer.alloc(1 << 16);
    seeded(4096, 3).copy(bg, 8192); // some random page to exercise candidates
    const at = place(bg, 30_000, Buffer.from(ec.scalar).reverse());
    const hits = knownKeyDetector.detect(bg, ctx([key])).hits;
    expect(covered(hits, at, 32)).toBe(true);
  });

  it('finds an Ed25519 seed', () => {
    const ed = okpKey('ed25519');
    const [key] = parseKnownKeys(createPublicKey({ key: ed.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }), 'ed.der');
    const bg = Buffer.alloc(1 << 14);
    const at = place(bg, 1000, ed.seed);
    expect(covered(knownKeyDetector.detect(bg, ctx([key])).hits, at, 32)).toBe(true);
  });
});

describe('parseKnownKeys', () => {
  it('reads PEM SPKI, DER SPKI, PKCS#1 public, JWKS and OpenSSH lines', () => {
    const ec = ecKey('P-384');
    expect(parseKnownKeys(rsa.spki, 'x')[0].n === rsa.n).toBe(true);
    expect(parseKnownKeys(rsa.pkcs1Public, 'x')[0].n === rsa.n).toBe(true);
    const pub = createPublicKey({ key: rsa.spki, format: 'der', type: 'spki' });
    const pk1 = pub.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(parseKnownKeys(Buffer.from(pk1 + pem), 'x')).toHaveLength(1);
    const jwk = { kty: 'RSA', kid: 'k1', n: beBytes(rsa.n).toString('base64url'), e: 'AQAB' };
    const ecJwk = { kty: 'EC', crv: 'P-384', x: ec.point.subarray(1, 49).toString('base64url'), y: ec.point.subarray(49).toString('base64url') };
    const ks = parseKnownKeys(Buffer.from(JSON.stringify({ keys: [jwk, ecJwk] })), 'jwks.json');
    expect(ks.map((k) => k.kind)).toEqual(['rsa', 'ec']);
    expect(ks[0].label).toContain('kid k1');
    expect(ks[1].publicKey?.equals(ec.point)).toBe(true);
    const str = (b: Buffer) => {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(b.length);
      return Buffer.concat([h, b]);
    };
    const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), str(beBytes(rsa.e)), str(Buffer.concat([Buffer.from([0]), beBytes(rsa.n)]))]);
    const ssh = parseKnownKeys(Buffer.from(`ssh-rsa ${blob.toString('base64')} user@host\n`), 'id.pub');
    expect(ssh[0].n === rsa.n).toBe(true);
    expect(() => parseKnownKeys(Buffer.from('hello'), 'bad')).toThrow(KnownKeyError);
  });

  it.skipIf(!existsSync('/usr/bin/openssl'))('reads an X.509 certificate and labels it with the subject', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-cert-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=api.example.test', '-days', '2'],
        { stdio: 'ignore' },
      );
      const [k] = parseKnownKeys(readFileSync(join(dir, 'c.pem')), 'cert.pem');
      expect(k.kind).toBe('ec');
      expect(k.label).toContain('CN=api.example.test');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('known secrets', () => {
  it('parses literal and sha256 lines', () => {
    const s = parseKnownSecrets(Buffer.from(`# comment\nsecret-value-one\r\nsha256:${'ab'.repeat(32)}\n\n`));
    expect(s.literals.map(String)).toEqual(['secret-value-one']);
    expect(s.sha256).toHaveLength(1);
  });

  it('finds a secret raw, in UTF-16LE, hex, and inside longer base64 at any alignment', () => {
    const secret = Buffer.from(randomBytes(24).toString('base64url'));
    const bg = Buffer.alloc(1 << 16, 0x41);
    const forms = [
      secret,
      Buffer.from(secret.toString(), 'utf16le'),
      Buffer.from(secret.toString('hex').toUpperCase()),
      Buffer.from(Buffer.concat([Buffer.from('x'), secret, Buffer.from('yz')]).toString('base64')),
      Buffer.from(Buffer.concat([Buffer.from('ab'), secret]).toString('base64url')),
    ];
    const at = forms.map((f, i) => place(bg, 1000 + i * 5000, f));
    const hits = knownSecretDetector.detect(bg, ctx([], [secret])).hits;
    at.forEach((a, i) => expect(covered(hits, a + (i >= 3 ? 4 : 0), i >= 3 ? 20 : forms[i].length)).toBe(true));
  });
});

describe('known secrets by digest', () => {
  it('finds a token, or the value after = or :, whose SHA-256 was given', async () => {
    const { createHash } = await import('node:crypto');
    const { knownDigestDetector } = await import('../src/detectors/known-key.js');
    const secret = randomBytes(18).toString('base64url');
    const digest = createHash('sha256').update(secret).digest();
    const bg = Buffer.from(`noise tokens here "password=${secret}", other=value ${secret}\n`);
    const hits = knownDigestDetector([digest]).detect(bg, ctx([])).hits;
    expect(hits.map((h) => bg.subarray(h.start, h.end).equals(Buffer.from(secret)))).toEqual([true, true]);
  });
});

describe('learned values survive the pipeline dedupe', () => {
  it('a factor has its own identity beside its public twin, one per value, and is searched literally', async () => {
    const { LearnedSet } = await import('../src/keys/learned.js');
    const { keyIdentity, learnedIdentity } = await import('../src/keys/identity.js');
    const set = new LearnedSet();
    set.add({ kind: 'public-rsa', n: rsa.n, e: rsa.e, label: 'certificate' });
    set.add({ kind: 'rsa-factor', n: rsa.n, e: rsa.e, label: 'RSA-2048 modulus sha256:y', p: rsa.p });
    set.add({ kind: 'rsa-factor', n: rsa.n, e: rsa.e, label: 'RSA-2048 modulus sha256:x', p: rsa.q });
    set.add({ kind: 'public-rsa', n: rsa.n, e: rsa.e, label: 'another certificate' });
    const list = set.values();
    expect(list.map((v) => `${v.kind} ${v.label}`).sort()).toEqual(['public-rsa another certificate', 'rsa-factor RSA-2048 modulus sha256:x']);
    // a user's --known-key and the same key seen in the dump are one identity
    const user: KnownKey = { kind: 'rsa', n: rsa.n, e: rsa.e, label: 'user' };
    expect(keyIdentity(user)).toBe(learnedIdentity(list.find((v) => v.kind === 'public-rsa')!));
    const bg = seeded(1 << 16, 8);
    // d is shorter than n now and then (1 key in 256 has a zero top byte): use its own length
    const dLe = toLE(beBytes(rsa.d));
    dLe.copy(bg, 4096);
    const hits = knownKeyDetector.detect(bg, { ...ctx([]), learned: list }).hits;
    expect(covered(hits, 4096, dLe.length)).toBe(true);
  });
});
