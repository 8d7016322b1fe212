import { describe, expect, it } from 'vitest';
import { derDetector, findDerKeys } from '../src/detectors/der.js';
import type { DetectContext, Hit } from '../src/types.js';
import { beBytes, ecKey, okpKey, rsaKey, seeded, tlv } from '../fixtures/gen/keys.js';

function ctx(): DetectContext {
  return { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
}

function embed(parts: Buffer[], gap = 3001): { bytes: Buffer; offsets: number[] } {
  const offsets: number[] = [];
  const chunks: Buffer[] = [];
  let pos = 0;
  parts.forEach((p, i) => {
    const filler = seeded(gap + i, 7 + i);
    chunks.push(filler, p);
    pos += filler.length;
    offsets.push(pos);
    pos += p.length;
  });
  chunks.push(seeded(gap, 99));
  return { bytes: Buffer.concat(chunks), offsets };
}

function hasSpan(hits: Hit[], start: number, end: number, rule?: string): boolean {
  return hits.some((h) => h.start === start && h.end === end && (!rule || h.ruleId === rule));
}

const rsa = rsaKey(2048);

describe('DER private keys', () => {
  it('finds PKCS#1 and PKCS#8 RSA keys with exact spans, validated by n == p*q, and feeds self-hunt', () => {
    const { bytes, offsets } = embed([rsa.pkcs1, rsa.pkcs8]);
    const { hits, learned } = derDetector.detect(bytes, ctx());
    expect(hasSpan(hits, offsets[0], offsets[0] + rsa.pkcs1.length, 'der-rsa')).toBe(true);
    expect(hasSpan(hits, offsets[1], offsets[1] + rsa.pkcs8.length, 'der-rsa')).toBe(true);
    const k = learned?.find((v) => v.kind === 'rsa-factor' && v.n === rsa.n);
    expect(k?.kind === 'rsa-factor' && (k.p === rsa.p || k.p === rsa.q)).toBe(true);
    for (const h of hits) expect(h.note ?? '').not.toMatch(/[0-9a-f]{40}/);
  });

  it('rejects a structure whose primes do not multiply to n, and a zeroed one', () => {
    const broken = Buffer.from(rsa.pkcs1);
    const at = broken.indexOf(beBytes(rsa.p));
    expect(at).toBeGreaterThan(0);
    broken[at + 40] ^= 0x10;
    expect(findDerKeys(broken)).toHaveLength(0);
    const zeroed = Buffer.from(rsa.pkcs1);
    zeroed.fill(0, 20, 40);
    expect(findDerKeys(zeroed)).toHaveLength(0);
  });

  it('finds EC keys (PKCS#8 and SEC1) on P-256/384/521', () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const ec = ecKey(curve);
      const { bytes, offsets } = embed([ec.pkcs8, ec.sec1]);
      const c = ctx();
      const hits = derDetector.detect(bytes, c).hits;
      expect(hasSpan(hits, offsets[0], offsets[0] + ec.pkcs8.length, 'der-ec')).toBe(true);
      expect(hasSpan(hits, offsets[1], offsets[1] + ec.sec1.length, 'der-ec')).toBe(true);
      expect(hits.find((h) => h.ruleId === 'der-ec')?.note).toContain(curve);
    }
  });

  it('finds Ed25519 and X25519 PKCS#8 keys', () => {
    for (const t of ['ed25519', 'x25519'] as const) {
      const k = okpKey(t);
      const { bytes, offsets } = embed([k.pkcs8]);
      const hits = derDetector.detect(bytes, ctx()).hits;
      expect(hasSpan(hits, offsets[0], offsets[0] + k.pkcs8.length, 'der-okp')).toBe(true);
    }
  });

  it('finds encrypted PKCS#8 and a PFX container', () => {
    const enc = rsa.priv.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'not-a-real-passphrase' });
    const data = tlv(0x06, Buffer.from('2a864886f70d010701', 'hex'));
    const pfx = tlv(0x30, tlv(0x02, Buffer.from([3])), tlv(0x30, data, tlv(0xa0, tlv(0x04, seeded(600, 5)))), tlv(0x30, seeded(40, 6)));
    const { bytes, offsets } = embed([enc, pfx]);
    const hits = derDetector.detect(bytes, ctx()).hits;
    expect(hasSpan(hits, offsets[0], offsets[0] + enc.length, 'der-encrypted')).toBe(true);
    expect(hasSpan(hits, offsets[1], offsets[1] + pfx.length, 'der-pfx')).toBe(true);
  });

  it('finds a DSA PKCS#8 key', () => {
    // DSA PKCS#8 built by hand: SEQ { 0, SEQ { OID dsa, params }, OCTET STRING { INTEGER x } }
    const x = seeded(32, 11);
    x[0] &= 0x7f;
    const params = tlv(0x30, tlv(0x02, Buffer.concat([Buffer.from([0]), seeded(128, 1)])), tlv(0x02, seeded(20, 2).fill(0x11, 0, 1)), tlv(0x02, seeded(128, 3).fill(0x22, 0, 1)));
    const der = tlv(0x30, tlv(0x02, Buffer.from([0])), tlv(0x30, tlv(0x06, Buffer.from('2a8648ce380401', 'hex')), params), tlv(0x04, tlv(0x02, x)));
    const { bytes, offsets } = embed([der]);
    expect(hasSpan(derDetector.detect(bytes, ctx()).hits, offsets[0], offsets[0] + der.length, 'der-dsa')).toBe(true);
  });

  it('finds the same RSA components in other encodings in the chunk', () => {
    const le = Buffer.from(beBytes(rsa.p)).reverse();
    const { bytes, offsets } = embed([rsa.pkcs1, le]);
    const hits = derDetector.detect(bytes, ctx()).hits;
    expect(hasSpan(hits, offsets[1], offsets[1] + le.length)).toBe(true);
  });

  it('reports nothing on noise full of 0x30 bytes, nor on a zeroed key', () => {
    const noise = seeded(1 << 20, 3);
    for (let i = 0; i < noise.length; i += 97) noise[i] = 0x30;
    for (let i = 50; i < noise.length; i += 997) noise.set([0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00], i);
    expect(derDetector.detect(noise, ctx()).hits).toHaveLength(0);
    const z = Buffer.from(rsa.pkcs8).fill(0);
    expect(derDetector.detect(z, ctx()).hits).toHaveLength(0);
  });

  it('pushes public keys it sees (SPKI, PKCS#8 moduli) for self-hunt', () => {
    const ec = ecKey('P-256');
    const ed = okpKey('ed25519');
    const { bytes } = embed([rsa.spki, ec.spki, ed.spki]);
    const { hits, learned = [] } = derDetector.detect(bytes, ctx());
    expect(hits).toHaveLength(0);
    expect(learned.map((v) => (v.kind === 'public-ec' ? v.curve : v.kind)).sort()).toEqual(['Ed25519', 'P-256', 'public-rsa']);
    expect(learned.some((v) => v.kind === 'public-rsa' && v.n === rsa.n)).toBe(true);
    expect(learned.some((v) => v.kind === 'public-ec' && v.publicKey.equals(ec.point))).toBe(true);
  });
});

describe('DER keys as text', () => {
  it('finds the whole key as base64 in JSON, as a PEM body and as hex, beside the binary', () => {
    const b64 = Buffer.from(`{"keyDerB64":"${rsa.pkcs8.toString('base64')}"}`);
    const pemBody = Buffer.from(
      rsa.pkcs8
        .toString('base64')
        .match(/.{1,64}/g)!
        .join('\r\n'),
    );
    const hex = Buffer.from(rsa.pkcs1.toString('hex'));
    const { bytes, offsets } = embed([rsa.pkcs8, b64, pemBody, hex]);
    const hits = derDetector.detect(bytes, ctx()).hits;
    expect(hasSpan(hits, offsets[1] + 14, offsets[1] + b64.length - 2)).toBe(true);
    expect(hasSpan(hits, offsets[2], offsets[2] + pemBody.length)).toBe(true);
    expect(hasSpan(hits, offsets[3], offsets[3] + hex.length)).toBe(true);
  });
});

describe('PEM held inside JSON', () => {
  it('finds the PEM body with escaped line breaks', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${rsa.pkcs8
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END PRIVATE KEY-----\n`;
    const json = Buffer.from(JSON.stringify({ keyPem: pem }));
    const { bytes, offsets } = embed([rsa.pkcs8, json]);
    const hits = derDetector.detect(bytes, ctx()).hits;
    const bodyAt = offsets[1] + json.indexOf('MII');
    const bodyLen =
      JSON.stringify(
        rsa.pkcs8
          .toString('base64')
          .match(/.{1,64}/g)!
          .join('\n'),
      ).length - 2;
    expect(hits.some((h) => h.start === bodyAt && h.end === bodyAt + bodyLen)).toBe(true);
  });
});

describe('JWKs in memory', () => {
  it('pushes public JWKs for self-hunt and redacts every private member of a private JWK', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const jwk = createPrivateKey({ key: rsa.pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, string>;
    const pub = { kty: 'RSA', kid: 'pub-1', n: jwk.n, e: jwk.e };
    const ec = ecKey('P-256');
    const ecJwk = createPrivateKey({ key: ec.pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, string>;
    const text = Buffer.from(`{"keys":[${JSON.stringify(pub)}]} ... ${JSON.stringify({ ...jwk, kid: 'priv-1' })} ... ${JSON.stringify(ecJwk)}`);
    const bytes = Buffer.concat([seeded(1000, 1), text, seeded(1000, 2)]);
    const { hits, learned = [] } = derDetector.detect(bytes, ctx());
    expect(learned.some((v) => v.kind === 'public-rsa' && v.n === rsa.n)).toBe(true);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      const at = bytes.indexOf(`"${member}":"${jwk[member]}"`) + member.length + 4;
      expect({ member, covered: hits.some((h) => h.start <= at && h.end >= at + jwk[member].length) }).toEqual({ member, covered: true });
    }
    const dAt = bytes.indexOf(`"d":"${ecJwk.d}"`) + 5;
    expect(hits.some((h) => h.start <= dAt && h.end >= dAt + ecJwk.d.length)).toBe(true);
    const nAt = bytes.indexOf(jwk.n);
    expect(hits.some((h) => h.start <= nAt && h.end > nAt)).toBe(false); // the public modulus stays
  });
});
