// Copies of found secrets: each of seven secrets appears once where a rule recognises it and six
// more times where none can (glued to identifiers, UTF-16LE, hex, base64, URL-encoded, and with its
// first 8 bytes lost, as freed memory keeps it). A copy survives unless every byte of it that
// carries the value was changed. Before/after: DUMPSCRUB_CLI=<older build>/dist/cli.js npm run eval -- copies
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverage, scrubMeasure } from '../lib/dumpscrub.mjs';
import { pointerPage, prng, randomPage, keystream } from '../lib/pages.mjs';
import { ImageBuilder } from '../lib/shapes.mjs';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pickFrom = (alphabet, n) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
const digits = (n) => pickFrom('0123456789', n);

/** Seven secrets, made now, each with the line a rule recognises it in. */
function secrets() {
  const pw = `${pickFrom(ALNUM, 5)}#${pickFrom(ALNUM, 3)}&${pickFrom(ALNUM, 3)}%${pickFrom(ALNUM, 2)}`;
  const short = `${pickFrom(ALNUM, 4)}#&${pickFrom(ALNUM, 4)}`;
  const aws = pickFrom(ALNUM + '+/', 40);
  const slack = `xoxb-${digits(12)}-${digits(13)}-${pickFrom(ALNUM, 24)}`;
  const stripe = `sk_live_${pickFrom(ALNUM, 24)}`;
  const hexKey = randomBytes(32).toString('hex');
  const apiKey = pickFrom(ALNUM.toLowerCase(), 40);
  return [
    { name: 'password (15 chars)', value: pw, line: `\nDB_PASSWORD=${pw}\n` },
    { name: 'password (10 chars)', value: short, line: `\x07DB_PASSWORD=${short}\n` },
    { name: 'AWS secret key', value: aws, line: `\naws_secret_access_key = ${aws}\n` },
    { name: 'Slack bot token', value: slack, line: `\nSLACK_BOT_TOKEN=${slack}\n` },
    { name: 'Stripe key', value: stripe, line: `\nSTRIPE_KEY=${stripe}\n` },
    { name: 'hex signing key', value: hexKey, line: `\nsigning_key: "${hexKey}"\n` },
    { name: 'opaque API key', value: apiKey, line: `\napi_key = "${apiKey}"\n` },
  ];
}

/** The six copies of a value no rule can see, with the byte range of each that carries the value. */
function copiesOf(value) {
  const b64 = Buffer.from(`user:${value}`).toString('base64');
  // base64 characters made of value bits alone: after the 5 prefix bytes, before the padding
  const first = Math.ceil((8 * 5) / 6);
  const end = Math.floor((8 * (5 + Buffer.byteLength(value))) / 6);
  return [
    { form: 'glued', bytes: Buffer.from(`sessionIdX${value}Yconn`), from: 10, to: 10 + Buffer.byteLength(value) },
    // redaction keeps the NUL high bytes: the low bytes carry the value
    { form: 'UTF-16LE', bytes: Buffer.from(value, 'utf16le'), stride: 2 },
    { form: 'hex', bytes: Buffer.from(Buffer.from(value).toString('hex')) },
    { form: 'base64', bytes: Buffer.from(b64), from: first, to: end },
    { form: 'URL-encoded', bytes: Buffer.from(encodeURIComponent(value)) },
    { form: 'first 8 bytes lost', bytes: Buffer.from(value).subarray(8) },
  ];
}

export default async function copies(env) {
  const rand = prng(17);
  const noise = keystream(17);
  const img = new ImageBuilder();
  const planted = [];
  const list = secrets();
  for (const s of list) {
    img.push(pointerPage(rand));
    img.push(s.line);
  }
  for (const s of list) {
    for (const c of copiesOf(s.value)) {
      img.alignPage();
      img.push(randomPage(noise));
      img.push(pointerPage(rand).subarray(0, 1024 + Math.floor(rand() * 2048)));
      const at = img.push(c.bytes);
      planted.push({ secret: s.name, form: c.form, span: [at + (c.from ?? 0), at + (c.to ?? c.bytes.length)], stride: c.stride ?? 1 });
    }
  }
  img.alignPage();
  img.push(pointerPage(rand));
  const input = join(env.tmp, 'copies.raw');
  writeFileSync(input, img.buffer());
  const m = await scrubMeasure(env.cli, input, join(env.tmp, 'copies.out'), join(env.tmp, 'copies.json'));
  const cov = coverage(m.spans);
  // a copy survives unless every byte that carries the value was changed
  const carried = (p) => {
    for (let i = p.span[0]; i < p.span[1]; i += p.stride) if (cov(i, i + 1) === 0) return false;
    return true;
  };
  const survived = planted.filter((p) => !carried(p));
  const rows = [
    { name: 'scrub exit code', value: m.code, target: '0', pass: m.code === 0 },
    { name: `copies surviving (of ${planted.length})`, value: survived.length, target: '0', pass: survived.length === 0 },
  ];
  for (const s of list) rows.push({ name: `${s.name}: copies surviving`, value: `${survived.filter((p) => p.secret === s.name).length}/6` });
  const notes = [`image ${(img.size / 1024).toFixed(0)} KiB; each secret once in context, then 6 copies between random and pointer pages`];
  if (survived.length) notes.push(`survivors: ${survived.map((p) => `${p.secret} ${p.form}`).join(', ')}`);
  notes.push('a value shorter than 12 characters is hunted only behind the context it was found with, so its bare copies stay by design; a copy is hunted only once its value was found, whole');
  return { title: 'Copies of found secrets: glued, UTF-16LE, hex, base64, URL-encoded, first 8 bytes lost', rows, notes };
}
