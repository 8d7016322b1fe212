import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cngDetector } from '../src/detectors/cng.js';
import type { DetectContext, Hit } from '../src/types.js';
import { rsaComponents } from '../src/codec/rsa-math.js';
import { beBytes, ecKey, rsaKey, seeded } from '../fixtures/gen/keys.js';

const ctx = (): DetectContext => ({ knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] });
const u32 = (...v: number[]) =>
  Buffer.concat(
    v.map((x) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(x);
      return b;
    }),
  );
const fixed = (x: bigint, len: number) => {
  const b = beBytes(x);
  return Buffer.concat([Buffer.alloc(len - b.length), b]);
};
const rsa = rsaKey(2048);

function inNoise(blob: Buffer, at = 5003): Buffer {
  const bg = seeded(at + blob.length + 4000, 9);
  blob.copy(bg, at);
  return bg;
}
const exact = (hits: Hit[], s: number, e: number, rule: string) => hits.some((h) => h.start === s && h.end === e && h.ruleId === rule);

function cngRsaBlob(full: boolean): Buffer {
  const c = rsaComponents(rsa.n, rsa.e, rsa.p);
  const parts = [Buffer.from(full ? 'RSA3' : 'RSA2'), u32(2048, 3, 256, 128, 128), fixed(rsa.e, 3), fixed(rsa.n, 256), fixed(rsa.p, 128), fixed(rsa.q, 128)];
  if (full) parts.push(fixed(c.dp, 128), fixed(c.dq, 128), fixed(c.qinv, 128), fixed(rsa.d, 256));
  return Buffer.concat(parts);
}

describe('CNG / CAPI blobs', () => {
  it('finds BCRYPT RSA private and full-private blobs with their whole span', () => {
    for (const full of [false, true]) {
      const blob = cngRsaBlob(full);
      const { hits, learned } = cngDetector.detect(inNoise(blob), ctx());
      expect(exact(hits, 5003, 5003 + blob.length, 'cng-rsa')).toBe(true);
      expect(learned?.[0]?.kind === 'rsa-factor').toBe(true);
    }
  });

  it('rejects an RSA2 blob whose primes do not match n', () => {
    const blob = cngRsaBlob(false);
    blob[24 + 3 + 256 + 60] ^= 1;
    expect(cngDetector.detect(inNoise(blob), ctx()).hits.filter((h) => h.ruleId === 'cng-rsa')).toHaveLength(0);
  });

  it('finds a CAPI PRIVATEKEYBLOB (little-endian numbers)', () => {
    const c = rsaComponents(rsa.n, rsa.e, rsa.p);
    const L = (x: bigint, len: number) => fixed(x, len).reverse();
    const blob = Buffer.concat([
      Buffer.from([7, 2, 0, 0]),
      u32(0xa400),
      Buffer.from('RSA2'),
      u32(2048, Number(rsa.e)),
      L(rsa.n, 256),
      L(rsa.p, 128),
      L(rsa.q, 128),
      L(c.dp, 128),
      L(c.dq, 128),
      L(c.qinv, 128),
      L(rsa.d, 256),
    ]);
    const hits = cngDetector.detect(inNoise(blob), ctx()).hits;
    expect(exact(hits, 5003, 5003 + blob.length, 'capi-rsa')).toBe(true);
  });

  it('finds ECC private blobs on P-256/384/521, validated by the public point, and pushes public blobs', () => {
    for (const [curve, digit] of [
      ['P-256', 2],
      ['P-384', 4],
      ['P-521', 6],
    ] as const) {
      const ec = ecKey(curve);
      const len = ec.scalar.length;
      const blob = Buffer.concat([Buffer.from(`ECS${digit}`), u32(len), ec.point.subarray(1), ec.scalar]);
      const hits = cngDetector.detect(inNoise(blob), ctx()).hits;
      expect(exact(hits, 5003, 5003 + blob.length, 'cng-ec')).toBe(true);
      const bad = Buffer.from(blob);
      bad[bad.length - 1] ^= 1;
      expect(cngDetector.detect(inNoise(bad), ctx()).hits.filter((h) => h.ruleId === 'cng-ec')).toHaveLength(0);
      const pubBlob = Buffer.concat([Buffer.from(`ECK${digit - 1}`), u32(len), ec.point.subarray(1)]);
      const v = cngDetector.detect(inNoise(pubBlob), ctx()).learned?.[0];
      expect(v?.kind === 'public-ec' && v.publicKey.equals(ec.point)).toBe(true);
    }
  });

  it('finds a KDBM key data blob and ignores a zero one', () => {
    const key = randomBytes(32);
    const blob = Buffer.concat([Buffer.from('KDBM'), u32(1, 32), key]);
    expect(exact(cngDetector.detect(inNoise(blob), ctx()).hits, 5003, 5003 + 44, 'cng-key-data')).toBe(true);
    const zero = Buffer.concat([Buffer.from('KDBM'), u32(1, 32), Buffer.alloc(32)]);
    expect(cngDetector.detect(inNoise(zero), ctx()).hits).toHaveLength(0);
  });
});
