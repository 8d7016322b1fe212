// Certificate text is public in any layout memory holds it: cut by a page boundary with its BEGIN
// line elsewhere, headerless, JSON-escaped, UTF-16, at any line width. Private key bodies cut the
// same way are still flagged.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { describe, expect, test } from 'vitest';
import { rulesDetector } from '../src/detectors/rules.js';
import { decodesToPublic, inBundledRoots } from '../src/detectors/public-base64.js';
import type { DetectContext, Hit } from '../src/types.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'all', learned: [] };
const detect = (buf: Buffer): Hit[] => rulesDetector([], { entropy: 'all' }).detect(buf, ctx).hits;
const PAGE = 4096;

/** The base64 body of a PEM (no markers, no breaks). */
const bodyOf = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const wrap = (b64: string, width: number): string[] => b64.match(new RegExp(`.{1,${width}}`, 'g'))!;

/** A page whose text starts `cut` chars into `text` (the part before lies on another page). */
function pageFrom(text: string, cut: number, unit: 'latin1' | 'utf16le' = 'latin1'): Buffer {
  const page = Buffer.alloc(PAGE);
  Buffer.from(text.slice(cut), unit).copy(page);
  return page;
}

// certificate-shaped DER that is not a bundled root: names, validity, extensions, random key and signature
function certLike(): Buffer {
  const name = (cn: string) => Buffer.concat([Buffer.from([0x31, 0x0b + cn.length - 4, 0x30, 0x09 + cn.length - 4, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, cn.length]), Buffer.from(cn)]);
  return Buffer.concat([
    Buffer.from([0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0x80, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x10]),
    randomBytes(16),
    Buffer.from('300d06092a864886f70d01010b0500', 'hex'),
    name('Example Issuing CA'),
    Buffer.from('301e170d3234303130313030303030305a170d3334303130313030303030305a', 'hex'),
    name('service.example'),
    Buffer.from('30820122300d06092a864886f70d01010105000382010f003082010a0282010100', 'hex'),
    randomBytes(256),
    Buffer.from('0203010001', 'hex'),
    Buffer.from('a3233021301f0603551d23041830168014', 'hex'),
    randomBytes(20),
    Buffer.from('300d06092a864886f70d01010b05000382010100', 'hex'),
    randomBytes(256),
  ]);
}

const roots = rootCertificates.filter((_, i) => i % 9 === 0);

describe('certificate text', () => {
  test('bundled roots, pages cut at every phase of a line, BEGIN and END lines on other pages', () => {
    for (const pem of roots) {
      const text = wrap(bodyOf(pem), 64).join('\n');
      for (const cut of [1, 2, 3, 70, 133, 200]) expect(detect(pageFrom(text, cut)).length).toBe(0);
    }
  });

  test.each([
    ['LF, 64', '\n', 64],
    ['CRLF, 76', '\r\n', 76],
    ['JSON-escaped', '\\n', 64],
    ['72-char lines', '\n', 72],
  ])('a certificate that is not a bundled root, headerless, page-cut (%s)', (_name, br, width) => {
    for (let k = 0; k < 5; k++) {
      const text = wrap(certLike().toString('base64'), width as number).join(br as string);
      for (const cut of [0, 1, 2, 3, 41]) expect(detect(pageFrom(text, cut)).length).toBe(0);
    }
  });

  test('UTF-16LE (V8 two-byte and JVM strings)', () => {
    const text = wrap(bodyOf(roots[0]), 64).join('\n');
    expect(detect(pageFrom(text, 7, 'utf16le')).length).toBe(0);
    const own = wrap(certLike().toString('base64'), 64).join('\n');
    expect(detect(pageFrom(own, 5, 'utf16le')).length).toBe(0);
  });

  test('a single line of a bundled root, glued to a neighbour on both sides', () => {
    for (const pem of roots) {
      const line = wrap(bodyOf(pem), 64)[9] ?? wrap(bodyOf(pem), 64)[3];
      const buf = Buffer.from(`Root CA 2${line.slice(5)}!\x01\x02`, 'latin1');
      expect(inBundledRoots(buf, 9, 9 + line.length - 5)).toBe(true);
      expect(detect(buf).length).toBe(0);
    }
  });
});

describe('private key text is still flagged', () => {
  const keys = [0, 1, 2].map(
    () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } }).privateKey,
  );
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'sec1', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } }).privateKey;

  test.each([[64], [72], [76]])('PKCS#8 bodies page-cut at every phase, %i-char lines: every whole line is covered', (width) => {
    for (const key of keys) {
      const lines = wrap(key.toString('base64'), width);
      const text = lines.join('\n') + '\n';
      for (const cut of [1, 2, 3, 5]) {
        const page = pageFrom(text, cut);
        const hits = detect(page);
        for (const l of lines.slice(1)) {
          const at = page.indexOf(l);
          expect(hits.some((h) => h.start <= at && h.end >= at + l.length)).toBe(true);
        }
      }
    }
  });

  test('no phase of a private key body decodes to certificate structure', () => {
    for (const key of [...keys, ec]) {
      const b64 = Buffer.from(key.toString('base64'));
      for (let s = 0; s + 76 <= b64.length; s += 19) expect(decodesToPublic(b64, s, s + 76)).toBe(false);
    }
  });

  test('a line of a bundled root glued to a random token does not hide the token', () => {
    const line = wrap(bodyOf(roots[1]), 64)[5];
    const tok = randomBytes(30).toString('base64').replace(/[+/=]/g, 'x');
    const buf = Buffer.from(`\0${tok}${line}\0`, 'latin1');
    expect(detect(buf).some((h) => h.start <= 1 && h.end >= 1 + tok.length)).toBe(true);
  });
});
