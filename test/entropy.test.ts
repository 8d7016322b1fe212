// Entropy: per-alphabet thresholds relative to a random string's expected entropy; lower bar near
// credential words; a context-free pass for long mixed-case tokens; measured false-positive rates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ALL_T, CONTEXT_T, expectedEntropy } from '../src/detectors/entropy.js';
import { DEFAULT_ENTROPY } from '../src/types.js';
import { rulesDetector } from '../src/detectors/rules.js';
import { builtinRules } from '../src/rules/index.js';
import type { DetectContext, Hit } from '../src/types.js';
import { DEFAULT_MIX, makeMemImage, ppm, TEXT_MIX } from './helpers/memimage.js';

/** The entropy passes as production runs them: inside the rules detector, on its views, with no rule. */
const entropyDetector = (opts: { entropy: DetectContext['entropy'] }) => rulesDetector([], { entropy: opts.entropy ?? 'off' });

const ctx = (entropy: DetectContext['entropy']): DetectContext => ({ knownKeys: [], knownSecrets: [], extraViews: [], entropy, learned: [] });
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function b62(n: number): string {
  // mixed classes guaranteed, rest uniform
  return 'aZ0' + [...randomBytes(n - 3)].map((b) => B62[b % 62]).join('');
}
const hitsIn = (text: string, mode: DetectContext['entropy']): Hit[] =>
  entropyDetector({ entropy: mode }).detect(Buffer.concat([Buffer.alloc(1), Buffer.from(text, 'latin1'), Buffer.alloc(1)]), ctx(mode)).hits;

describe('expected entropy', () => {
  test('matches known values for random strings', () => {
    expect(expectedEntropy(40, 62)).toBeGreaterThan(4.7);
    expect(expectedEntropy(40, 62)).toBeLessThan(5.1);
    expect(expectedEntropy(32, 16)).toBeGreaterThan(3.5);
    expect(expectedEntropy(32, 16)).toBeLessThan(3.8);
    expect(expectedEntropy(1000, 64)).toBeGreaterThan(5.9);
  });
  test('thresholds: context bar is lower than the context-free bar', () => {
    expect(CONTEXT_T.margin).toBeGreaterThan(ALL_T.margin);
    expect(CONTEXT_T.minLen).toBeLessThan(ALL_T.minLen);
  });
});

describe('modes', () => {
  test('a context-free 40-char base62 token is found with mode all, not with context/off', () => {
    const tok = b62(40);
    const text = `\nobject cache entry ${tok} loaded\n`;
    const all = hitsIn(text, 'all');
    expect(all.some((h) => h.ruleId === 'entropy-token' && h.end - h.start === 40)).toBe(true);
    expect(hitsIn(text, 'context').length).toBe(0);
    expect(hitsIn(text, 'off').length).toBe(0);
  });

  test('near a credential word a shorter token is enough (context)', () => {
    const tok = b62(20);
    const text = `client credential: "${tok}"`;
    const hits = hitsIn(text, 'context');
    expect(hits.some((h) => h.ruleId === 'entropy-context' && h.end - h.start === 20)).toBe(true);
    expect(hitsIn(`cache entry "${tok}"`, 'context').length).toBe(0);
  });

  test('UTF-16LE tokens are found too, spans in bytes', () => {
    const tok = b62(48);
    const buf = Buffer.concat([Buffer.alloc(3), Buffer.from(`key ${tok}`, 'utf16le'), Buffer.alloc(2)]);
    const hits = entropyDetector({ entropy: 'all' }).detect(buf, ctx('all')).hits;
    expect(hits.some((h) => h.encoding === 'utf16le' && h.start === 3 + 8 && h.end === 3 + 8 + 96)).toBe(true);
  });

  test.each([
    ['sha256 digest', () => `sha256:${randomBytes(32).toString('hex')}`],
    ['uuid', () => `id=6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f`],
    ['English', () => 'The quick brown fox jumps over the lazy dog near the riverbank today'],
    ['path', () => '/usr/lib/x86_64-linux-gnu/libQt5WebEngineCore.so.5.15.8'],
    ['mangled C++ symbol', () => '_ZN2v88internal7Isolate4InitEPNS0_16SnapshotDataEPS2_S5_b'],
    ['C identifier', () => 'OSSL_CMP_MSG_get0_regInfo_utf8Pairs_X509v3_EXT_conf2'],
    ['certificate armor', () => `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----`],
    ['redacted token', () => `token=${'*'.repeat(40)}`],
    ['all-same token', () => `token=${'A'.repeat(40)}`],
    ['ssh public key', () => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomBytes(24).toString('base64')} user@host`],
    ['SPKI public key near a key word', () => `publicKey: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${randomBytes(60).toString('base64')}`],
    ['certificate in a JWKS x5c', () => `{"x5c":["MIIDBTCCAe2gAwIBAgIQ${randomBytes(90).toString('base64')}"]}`],
    ['public JWK modulus', () => `{"kty":"RSA","kid":"k1","n":"${randomBytes(96).toString('base64url')}","e":"AQAB"}`],
  ])('not flagged in mode all: %s', (_name, make) => {
    expect(hitsIn(`\n${make()}\n`, 'all').length).toBe(0);
  });

  // PEM bodies whose BEGIN line was overwritten (freed malloc chunks lose their first 16 bytes)
  const { privateKey: pkcs8, publicKey: spki } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  // certificate-shaped DER: a SEQUENCE holding an X.500 commonName attribute among random bytes
  const certDer = Buffer.concat([
    Buffer.from([0x30, 0x82, 0x01, 0x10, 0x30, 0x82, 0x01, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x02]),
    randomBytes(40),
    Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04]),
    Buffer.from('test'),
    randomBytes(200),
  ]);
  const lines = (der: Buffer) => der.toString('base64').match(/.{1,64}/g)!;
  const breaks = { LF: '\n', CRLF: '\r\n', 'JSON \\n': '\\n' };
  // several keys: a line made structured by INTEGER headers must not stay behind in any of them
  const keys = Array.from({ length: 6 }, (_, i) =>
    i === 0 ? pkcs8 : generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } }).privateKey,
  );
  test.each(Object.entries(breaks))('a private key body without its BEGIN line is flagged whole (%s)', (_name, br) => {
    for (const key of keys) {
      const body = lines(key);
      const text = `\x10\x22UUUU\0\0${body.join(br)}${br}\0\0`;
      const hits = hitsIn(text, 'all');
      for (const [i, l] of body.entries()) {
        const at = 1 + text.indexOf(l);
        expect({ line: i, covered: hits.some((h) => h.start <= at && h.end >= at + l.length) }).toEqual({ line: i, covered: true });
      }
    }
  });
  test.each([
    ['certificate', certDer],
    ['SubjectPublicKeyInfo', spki],
  ])('a %s body without its BEGIN line is not flagged', (_name, der) => {
    for (const br of Object.values(breaks)) expect(hitsIn(`\0\0${lines(der as Buffer).join(br)}${br}\0`, 'all').length).toBe(0);
  });

  test('the detector follows ctx.entropy over its construction default', () => {
    const tok = b62(40);
    const buf = Buffer.from(`\n${tok}\n`);
    expect(rulesDetector(builtinRules, { entropy: 'off' }).detect(buf, ctx('all')).hits.length).toBe(1);
    expect(rulesDetector(builtinRules, { entropy: 'all' }).detect(buf, ctx('off')).hits.length).toBe(0);
  });
});

describe('false positives on clean memory-like images (ppm of bytes changed)', () => {
  const results: Record<string, number> = {};
  test.each([
    ['memory mix', DEFAULT_MIX, 31],
    ['text only', TEXT_MIX, 32],
  ] as const)('%s', (name, mix, seed) => {
    const size = 8 << 20;
    const img = makeMemImage(size, seed, mix);
    for (const mode of ['off', 'context', 'all'] as const) {
      const hits = rulesDetector(builtinRules, { entropy: mode }).detect(img, ctx(mode)).hits;
      results[`${name}/${mode}`] = ppm(hits, size);
    }
    console.log(`${name}: ` + ['off', 'context', 'all'].map((m) => `${m}=${results[`${name}/${m}`].toFixed(1)}ppm`).join(' '));
    // the default mode must stay cheap on clean memory; text-only pages are the worst case
    expect(results[`${name}/off`]).toBeLessThan(10);
    expect(results[`${name}/context`]).toBeLessThan(50);
    expect(results[`${name}/${DEFAULT_ENTROPY}`]).toBeLessThan(name === 'text only' ? 500 : 100);
  });
});

describe('entropy recall on fresh random tokens', () => {
  const alphabets: Record<string, string> = {
    base62: B62,
    base64: B62 + '+/',
    base64url: B62 + '-_',
  };
  const N = 400;
  test.each(Object.keys(alphabets))('%s, 40 chars: all mode >= 97%%, context mode near a keyword >= 97%%', (name) => {
    const alpha = alphabets[name];
    const tokens: string[] = [];
    for (let i = 0; i < N; i++) tokens.push([...randomBytes(40)].map((b) => alpha[b % alpha.length]).join(''));
    // one token per line, NUL-separated like strings in memory
    const free = Buffer.from(tokens.map((t) => `\0cache ${t}\0`).join(''), 'latin1');
    const near = Buffer.from(tokens.map((t) => `\0api_token: ${t}\0`).join(''), 'latin1');
    const count = (buf: Buffer, mode: 'all' | 'context', id: string): number =>
      entropyDetector({ entropy: mode })
        .detect(buf, ctx(mode))
        .hits.filter((h) => h.ruleId === id && h.end - h.start === 40).length;
    const all = count(free, 'all', 'entropy-token') / N;
    const context = count(near, 'context', 'entropy-context') / N;
    console.log(`entropy recall ${name}/40: all=${(all * 100).toFixed(1)}% context=${(context * 100).toFixed(1)}%`);
    expect(all).toBeGreaterThanOrEqual(0.97);
    expect(context).toBeGreaterThanOrEqual(0.97);
  });
});
