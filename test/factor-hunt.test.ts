import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { huntFactors, targetOf } from '../src/detectors/factor-hunt.js';
import { toJava, toLE } from '../src/codec/bignum.js';
import { scan } from '../src/index.js';
import { beBytes, rsaKey, seeded } from '../fixtures/gen/keys.js';

const rsa = rsaKey(2048);
const P = beBytes(rsa.p);

/** Whether the hunt finds a factor of rsa.n; `fromDump` hunts as for a key seen in the dump. */
function finds(bg: Buffer, fromDump: boolean, stats?: { divisions: number }): boolean {
  const t = targetOf(rsa.n, !fromDump)!;
  const p = huntFactors(bg, [t], stats).get(t);
  return p === rsa.p || p === rsa.q;
}

/** A page of heap-like words: pointers (zero high halves) and odd, high-topped values. */
function heapPage(): Buffer {
  const page = Buffer.alloc(4096);
  for (let i = 0; i < page.length; i += 8) page.writeBigUInt64LE(0x7f0000001000n + BigInt(i * 48), i);
  return page;
}

describe('factor hunt for keys seen in the dump: noise pages', () => {
  const header = (v: number, bytes: number) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 8) b.writeBigUInt64LE(BigInt(v));
    else b.writeUInt32LE(v);
    return b;
  };
  // deep inside 1 MiB of random bytes: every page around is noise
  const cases: Array<[string, Buffer, number]> = [
    ['LE limbs after an allocator chunk header', Buffer.concat([header(128 + 16 + 1, 8), toLE(P)]), 8],
    ['Java int[] after its length word', Buffer.concat([header(1, 8), header(32, 4), toJava(P)]), 12],
    ['LE limbs followed by spare zero limbs', Buffer.concat([toLE(P), Buffer.alloc(32)]), 0],
    ['big-endian after a DER INTEGER header at an odd offset', Buffer.concat([Buffer.from([0x02, 0x81, 0x81, 0x00]), P]), 4],
  ];
  for (const [name, blob, pOff] of cases) {
    it(`finds p deep in noise: ${name}`, () => {
      const bg = seeded(1 << 20, 31);
      const at = name.includes('odd') ? 400_001 : 400_000;
      blob.copy(bg, at);
      expect(finds(bg, true)).toBe(true);
      if (at % 4) return;
      // the bare prime at the same place is left to the user-named hunt (every window)
      const bare = seeded(1 << 20, 31);
      blob.subarray(pOff, pOff + 128).copy(bare, at + pOff);
      expect(finds(bare, false)).toBe(true);
    });
  }

  it('finds a bare p at the edge of a noise run, next to a heap page on either side', () => {
    for (const at of [0x41000, 0x40000 - 128, 0x41000 - 64]) {
      const bg = seeded(1 << 20, 32);
      heapPage().copy(bg, 0x40000);
      toLE(P).copy(bg, at);
      expect(finds(bg, true), `at ${at}`).toBe(true);
    }
  });

  it('divides almost never in noise for a key seen in the dump, unlike a user-named key', () => {
    const bg = seeded(4 << 20, 33);
    const dump = { divisions: 0 };
    const user = { divisions: 0 };
    expect(finds(bg, true, dump)).toBe(false);
    expect(finds(bg, false, user)).toBe(false);
    expect(dump.divisions < 500 && user.divisions > 20 * dump.divisions, `${dump.divisions} / ${user.divisions} divisions`).toBe(true);
  });
});

describe('factor hunt: candidates that cannot be primes', () => {
  it('a window with more than L/16 zero bytes (machine code, tagged words) is never divided', () => {
    const bg = seeded(1 << 20, 35);
    for (let i = 0; i < bg.length; i += 8) bg[i] = 0; // 16 zero bytes per 128, no zero word
    const stats = { divisions: 0 };
    expect(finds(bg, false, stats)).toBe(false);
    expect(stats.divisions).toBe(0);
  });
});

describe.skipIf(!existsSync('/usr/bin/openssl'))('self-hunt from a leaf certificate', () => {
  it('a critical cA FALSE certificate is a leaf: its key is hunted, in random bytes too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-leaf-'));
    try {
      writeFileSync(join(dir, 'k.der'), rsa.pkcs8);
      const cert = join(dir, 'c.der');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-key',
          join(dir, 'k.der'),
          '-keyform',
          'DER',
          '-subj',
          '/CN=leaf.example.test',
          '-addext',
          'basicConstraints=critical,CA:FALSE',
          '-days',
          '2',
          '-outform',
          'DER',
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const bg = seeded(2 << 20, 34);
      Buffer.concat([Buffer.from([0x91, 0, 0, 0, 0, 0, 0, 0]), toLE(P)]).copy(bg, 1_000_000);
      const file = join(dir, 'dump.bin');
      writeFileSync(file, Buffer.concat([bg, readFileSync(cert)]));
      const r = await scan(file, { jobs: 1 });
      expect(r.findings.some((f) => f.ruleId === 'known-key' && f.start <= 1_000_008 && f.end >= 1_000_008 + 128)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
