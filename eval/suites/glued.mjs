// Tokens with a distinctive prefix, glued to their neighbours the way process memory holds them:
// Go and Rust binaries keep string data back to back with no separators, and a V8 heap string is
// followed directly by the next object's map word (whose low byte may be a letter). Every token
// shape with a literal vendor prefix in the peers corpus is planted in each layout with fresh values.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coverage, scrubMeasure } from '../lib/dumpscrub.mjs';
import { pointerPage, prng } from '../lib/pages.mjs';
import { ImageBuilder, fillShape } from '../lib/shapes.mjs';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'peers.json');
const GO = [
  '/usr/local/go/src/net/http/server.go',
  'EXT_ENCODING',
  'runtime.gcBgMarkWorker',
  'GODEBUG',
  'net/http.(*conn).serve',
  'crypto/tls.(*Conn).Handshake',
  'sync.(*Mutex).Lock',
  'SIGSEGV',
  'unexpected EOF',
  'x509: certificate signed by unknown authority',
];
const RUST = [
  'core::fmt::Write',
  'src/main.rs',
  'called `Option::unwrap()` on a `None` value',
  'std::io::Error',
  '_ZN4core3ptr13drop_in_place',
  'alloc::vec::Vec<u8>',
  'RUST_BACKTRACE',
  'tokio-runtime-worker',
];
const LETTERS = 'yYaAbBkKpPxX';

/** Token shapes: the expected-secret parts of examples whose secret starts with a literal prefix. */
function prefixedShapes(corpus) {
  const byPrefix = new Map();
  for (const ex of corpus.examples) {
    if (ex.identifier) continue;
    const secret = ex.parts.filter((p) => typeof p === 'object' && p.s);
    const first = secret[0];
    if (!first || first.l === undefined || !secret.some((p) => p.c)) continue;
    const prefix = secret
      .filter((p, k) => p.l !== undefined && secret.slice(0, k).every((q) => q.l !== undefined))
      .map((p) => p.l)
      .join('');
    if (prefix.length < 3 || !/[A-Za-z]/.test(prefix) || !/^[\x21-\x7e]+$/.test(prefix) || prefix.includes('\\')) continue;
    // a vendor token: the prefix is followed by a long generated body
    if (!secret.some((p) => p.c && p.n >= 16)) continue;
    const key = `${ex.rule}|${prefix}`;
    if (!byPrefix.has(key)) byPrefix.set(key, { rule: ex.rule, source: ex.source, prefix, parts: secret });
  }
  return [...byPrefix.values()];
}

export default async function glued(env) {
  const corpus = JSON.parse(readFileSync(CORPUS, 'utf8'));
  const shapes = prefixedShapes(corpus);
  const rand = prng(11);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const img = new ImageBuilder();
  const planted = [];
  const layouts = {
    // control: the same token alone on a line, to tell a glue failure from a shape the rules do not know
    line: (t) => ['\n', t, '\n'],
    go: (t) => [pick(GO) + pick(GO), t, pick(GO) + pick(GO)],
    rust: (t) => [pick(RUST), t, pick(RUST)],
    v8: (t) => {
      // SeqOneByteString: compressed map, hash, length; then the next object's map word right after the characters
      const head = Buffer.alloc(12);
      head.writeUInt32LE(0x00000299 + 8 * Math.floor(rand() * 64), 0);
      head.writeUInt32LE(Math.floor(rand() * 0xffffffff) >>> 0, 4);
      head.writeUInt32LE(Buffer.byteLength(t), 8);
      const map = Buffer.from([LETTERS.charCodeAt(Math.floor(rand() * LETTERS.length)), 0x3d + Math.floor(rand() * 3), 0x1c, 0x00]);
      return [head, t, Buffer.concat([map, Buffer.alloc(4), Buffer.from([0x05, 0, 0, 0])])];
    },
  };
  // each glued value also stands alone on a line in a second image (a copy in the same image would be
  // found as a copy of the value caught alone): the glue's own effect, with the grammar held fixed
  const twins = new ImageBuilder();
  let k = 0;
  for (const shape of shapes) {
    for (const [layout, make] of Object.entries(layouts)) {
      const { text } = fillShape(shape.parts, corpus.alphabets);
      const [before, token, after] = make(text);
      img.push(before);
      const at = img.pushShape(token);
      img.push(after);
      let twin;
      if (layout !== 'line') {
        twins.push('\n');
        twin = twins.pushShape(text).slot;
        twins.push('\n');
      }
      planted.push({ ...shape, layout, span: at.slot, twin });
      if (++k % 64 === 0) {
        img.alignPage();
        img.push(pointerPage(rand));
      }
    }
  }
  const input = join(env.tmp, 'glued.raw');
  writeFileSync(input, img.buffer());
  const m = await scrubMeasure(env.cli, input, join(env.tmp, 'glued.out'), join(env.tmp, 'glued.json'));
  const cov = coverage(m.spans);
  const twinInput = join(env.tmp, 'twins.raw');
  writeFileSync(twinInput, twins.buffer());
  const t = await scrubMeasure(env.cli, twinInput, join(env.tmp, 'twins.out'), join(env.tmp, 'twins.json'));
  const twinCov = coverage(t.spans);
  const glued = planted.filter((p) => p.layout !== 'line');
  const untouched = glued.filter((p) => cov(p.span[0], p.span[1]) === 0);
  const partial = glued.filter((p) => {
    const c = cov(p.span[0], p.span[1]);
    return c > 0 && c < p.span[1] - p.span[0];
  });
  const rows = [
    { name: 'scrub exit code', value: m.code, target: '0', pass: m.code === 0 },
    { name: `glued tokens untouched (of ${glued.length})`, value: untouched.length, target: '0', pass: untouched.length === 0 },
    { name: 'glued tokens partly redacted', value: partial.length, target: '0', pass: partial.length === 0 },
  ];
  // the glue's own effect: values a rule catches alone on a line, but not when glued
  const full = (p) => cov(p.span[0], p.span[1]) === p.span[1] - p.span[0];
  const gluedKnown = glued.filter((p) => twinCov(p.twin[0], p.twin[1]) === p.twin[1] - p.twin[0]);
  const gluedKnownBad = gluedKnown.filter((p) => !full(p));
  rows.push({ name: 'glued survivors among values caught alone', value: `${gluedKnownBad.length}/${gluedKnown.length}`, target: '0', pass: gluedKnownBad.length === 0 });
  const notes = [
    `${shapes.length} prefixed token shapes from the peers corpus × layouts ${Object.keys(layouts).join(', ')}; image ${(img.size / 1024).toFixed(0)} KiB; each glued value also alone on a line in a second image (scrub exit ${t.code})`,
  ];
  if (gluedKnownBad.length) notes.push(`glued survivors among values caught alone, by peer rule (layout): ${gluedKnownBad.map((p) => `${p.rule} (${p.layout})`).join(', ')}`);
  for (const layout of Object.keys(layouts)) {
    const mine = planted.filter((p) => p.layout === layout);
    const bad = mine.filter((p) => cov(p.span[0], p.span[1]) < p.span[1] - p.span[0]);
    rows.push({ name: `${layout}: survived (untouched or partly)`, value: `${bad.length}/${mine.length}`, ...(layout === 'line' ? { name: 'control, alone on a line: survived' } : {}) });
    if (bad.length)
      notes.push(
        `${layout === 'line' ? 'control (alone on a line)' : layout} survivors by peer rule (prefix): ${bad
          .slice(0, 30)
          .map((p) => `${p.rule} (${p.prefix.slice(0, 2)}…)`)
          .join(', ')}${bad.length > 30 ? `, … ${bad.length - 30} more` : ''}`,
      );
  }
  return { title: 'Glued tokens: Go/Rust string data and V8 strings followed by a map word', rows, notes };
}
