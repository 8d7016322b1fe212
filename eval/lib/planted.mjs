// Secrets planted in real processes: fresh values for well-known token shapes from the peers corpus,
// a generated RSA private key (PKCS#8 PEM), a JWT, a password and a connection URI. Each carries
// needles: substrings that must not survive anywhere in a scrubbed dump.
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillShape, randomFrom } from './shapes.mjs';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'peers.json');
// [peer rule id, literal prefix the token starts with]
const TOKENS = [
  ['np.github.1', 'gh'],
  ['np.gitlab.1', 'gl'],
  ['slack-bot-token', 'xo'],
  ['aws-access-token', 'AK'],
  ['stripe-access-token', 'sk_'],
  ['openai-api-key', 'sk'],
  ['anthropic-api-key', 'sk'],
  ['npm-access-token', 'np'],
  ['gcp-api-key', 'AI'],
  ['sendgrid-api-token', 'SG'],
  ['huggingface-access-token', 'hf'],
  ['digitalocean-pat', 'do'],
];
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const b64url = (b) => Buffer.from(b).toString('base64url');

/** Fresh secrets: [{ kind, text (as the process holds it), needles }]. */
export function makeSecrets() {
  const corpus = JSON.parse(readFileSync(CORPUS, 'utf8'));
  const out = [];
  for (const [rule, prefix] of TOKENS) {
    const ex = corpus.examples.find((e) => e.rule === rule && e.parts.find((p) => typeof p === 'object' && p.s)?.l?.startsWith(prefix));
    if (!ex) continue;
    const token = fillShape(
      ex.parts.filter((p) => typeof p === 'object' && p.s),
      corpus.alphabets,
    ).text;
    out.push({ kind: rule, text: token, needles: [token] });
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const body = privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
  // three body lines stand for the key: any of them left in a copy is a leak
  out.push({ kind: 'rsa-private-key-pem', text: privateKey, needles: [body[1], body[Math.floor(body.length / 2)], body[body.length - 2]] });
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: randomFrom(B62, 12), iat: 1764700000, scope: 'admin' }));
  const sig = createHmac('sha256', randomBytes(32)).update(`${head}.${payload}`).digest('base64url');
  out.push({ kind: 'jwt', text: `${head}.${payload}.${sig}`, needles: [sig] });
  const password = randomFrom(B62, 10) + '!' + randomFrom(B62, 6);
  out.push({ kind: 'password-assignment', text: `DB_PASSWORD=${password}`, needles: [password] });
  const pw2 = randomFrom(B62, 20);
  out.push({ kind: 'postgres-uri', text: `postgres://app:${pw2}@db.internal:5432/orders`, needles: [pw2] });
  return out;
}

const ENCODINGS = ['latin1', 'utf16le', 'utf16be'];
function encode(s, enc) {
  if (enc !== 'utf16be') return Buffer.from(s, enc);
  const b = Buffer.from(s, 'utf16le');
  return b.swap16();
}

const ZERO = Buffer.alloc(4096);

/**
 * Every occurrence [start, end) of each needle in the buffer, in each encoding a process may use,
 * found in one pass (zero pages skipped): result[k] lists the spans of needles[k].
 */
export function occurrencesAll(buf, needles) {
  const encoded = [];
  needles.forEach((n, k) => {
    for (const enc of ENCODINGS) encoded.push({ k, bytes: encode(n, enc) });
  });
  const first = new Uint8Array(256);
  const byKey = new Map();
  for (const e of encoded) {
    const b = e.bytes;
    first[b[0]] = 1;
    const key = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(e);
  }
  const out = needles.map(() => []);
  const len = buf.length;
  for (let page = 0; page < len; page += 4096) {
    const end = Math.min(len, page + 4096);
    if (end - page === 4096 && buf.compare(ZERO, 0, 4096, page, end) === 0) continue;
    for (let i = page; i < end && i + 4 <= len; i++) {
      if (!first[buf[i]]) continue;
      const list = byKey.get((buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) >>> 0);
      if (!list) continue;
      for (const e of list) {
        const n = e.bytes.length;
        if (i + n <= len && buf.compare(e.bytes, 0, n, i, i + n) === 0) out[e.k].push([i, i + n]);
      }
    }
  }
  return out;
}
