// Recall on material this project did not write: the published rule examples of noseyparker and
// gitleaks (eval/corpus/peers.json, shapes only), filled with fresh random values, planted in a
// memory-like image half in clean context and half glued to neighbouring string data.
// Negatives (the peers' negative examples) go in a second image: any finding on one counts as flagged.
// Those listed in eval/corpus/secret-shaped.json (a real-looking secret out of that peer rule's scope)
// are counted apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coverage, scrubMeasure } from '../lib/dumpscrub.mjs';
import { keystream, pointerPage, prng, textLines } from '../lib/pages.mjs';
import { ImageBuilder, fillShape } from '../lib/shapes.mjs';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'peers.json');
// peer negatives that are real-looking secrets of another shape, each with the reason (counted apart)
const SECRET_SHAPED = join(dirname(CORPUS), 'secret-shaped.json');
// String data as Go, Rust and C++ binaries keep it: back to back, no separators.
const GLUE = [
  '/usr/local/go/src/net/http/server.go',
  'EXT_ENCODING',
  'runtime.gcBgMarkWorker',
  'core::fmt::Write',
  'GODEBUG',
  'std::io::Error',
  'unexpected EOF',
  'x-forwarded-for',
  'content-type',
  '_ZN4core3ptr13drop_in_place',
];

const pct = (n, d) => (d ? (100 * n) / d : 0);

export default async function peers(env) {
  const corpus = JSON.parse(readFileSync(CORPUS, 'utf8'));
  const shaped = new Set(JSON.parse(readFileSync(SECRET_SHAPED, 'utf8')).entries.map((e) => `${e.source}\0${e.rule}\0${e.ord}`));
  const rand = prng(7);
  const bytes = keystream(7);
  const pick = (a) => a[Math.floor(rand() * a.length)];

  const img = new ImageBuilder();
  const planted = [];
  corpus.examples.forEach((ex, k) => {
    const { text, secret } = fillShape(ex.parts, corpus.alphabets);
    const glued = k % 2 === 1;
    if (glued) img.push(pick(GLUE) + pick(GLUE));
    else img.push(`\n${textLines(rand, 60 + Math.floor(rand() * 120))}\n`);
    const at = img.pushShape(text, secret);
    if (glued) img.push(pick(GLUE) + pick(GLUE));
    else img.push('\n');
    planted.push({ ...at, source: ex.source, rule: ex.rule, identifier: ex.identifier === true, glued });
    if (k % 48 === 47) {
      img.alignPage();
      img.push(pointerPage(rand));
      img.push(bytes(4096));
    }
  });
  const input = join(env.tmp, 'peers.raw');
  writeFileSync(input, img.buffer());
  const m = await scrubMeasure(env.cli, input, join(env.tmp, 'peers.out'), join(env.tmp, 'peers.json'));
  const cov = coverage(m.spans);

  const negImg = new ImageBuilder();
  const negs = [];
  const ordinals = new Map();
  for (const ex of corpus.negatives) {
    negImg.push(`\n${textLines(rand, 80)}\n`);
    const { text } = fillShape(ex.parts, corpus.alphabets);
    const key = `${ex.source}\0${ex.rule}`;
    const ord = ordinals.get(key) ?? 0;
    ordinals.set(key, ord + 1);
    negs.push({ ...negImg.pushShape(text), source: ex.source, rule: ex.rule, secretShaped: shaped.has(`${key}\0${ord}`) });
    negImg.push('\n');
  }
  const negInput = join(env.tmp, 'negatives.raw');
  writeFileSync(negInput, negImg.buffer());
  const n = await scrubMeasure(env.cli, negInput, join(env.tmp, 'neg.out'), join(env.tmp, 'neg.json'));
  const negCov = coverage(n.spans);

  const rows = [];
  const notes = [
    `${planted.length} positive examples (half glued to Go/Rust-style string data), ${negs.length} negatives; image ${(img.size / 2 ** 20).toFixed(1)} MiB, scrub exit ${m.code}${m.published ? '' : ' (not published: finding spans used)'}`,
  ];
  for (const source of Object.keys(corpus.sources)) {
    // Identifier-only rules (ARNs, bucket names, client ids without secret category) are shown apart.
    const idents = planted.filter((p) => p.source === source && p.identifier);
    const mine = planted.filter((p) => p.source === source && !p.identifier);
    const touched = mine.filter((p) => cov(p.secret[0], p.secret[1]) > 0);
    const full = mine.filter((p) => cov(p.secret[0], p.secret[1]) === p.secret[1] - p.secret[0]);
    const gluedAll = mine.filter((p) => p.glued);
    const gluedFull = gluedAll.filter((p) => full.includes(p));
    const tPct = pct(touched.length, mine.length);
    const fPct = pct(full.length, mine.length);
    rows.push({ name: `${source}: slot touched (${touched.length}/${mine.length})`, value: tPct, unit: '%', target: '≥ 97 %', pass: tPct >= 97 });
    rows.push({ name: `${source}: expected secret fully redacted`, value: fPct, unit: '%', target: '≥ 95 %', pass: fPct >= 95 });
    rows.push({ name: `${source}: fully redacted, glued half`, value: pct(gluedFull.length, gluedAll.length), unit: '%' });
    if (idents.length) {
      const t = idents.filter((p) => cov(p.secret[0], p.secret[1]) > 0).length;
      rows.push({ name: `${source}: identifier-only rules, slot touched`, value: `${t}/${idents.length}` });
    }
    const rules = new Set(mine.map((p) => p.rule));
    const rulesAll = [...rules].filter((r) => mine.filter((p) => p.rule === r).every((p) => full.includes(p)));
    rows.push({ name: `${source}: rules with every example fully redacted`, value: `${rulesAll.length}/${rules.size}` });
    const myNegs = negs.filter((x) => x.source === source);
    const flaggedAll = myNegs.filter((x) => negCov(x.slot[0], x.slot[1]) > 0);
    const flagged = flaggedAll.filter((x) => !x.secretShaped);
    const shapedNegs = myNegs.filter((x) => x.secretShaped);
    rows.push({ name: `${source}: negative examples flagged, all`, value: `${flaggedAll.length}/${myNegs.length}` });
    rows.push({ name: `${source}: … secret-shaped negatives flagged`, value: `${flaggedAll.length - flagged.length}/${shapedNegs.length}` });
    rows.push({ name: `${source}: … other negatives flagged`, value: `${flagged.length}/${myNegs.length - shapedNegs.length}` });
    const missed = countBy(mine.filter((p) => !touched.includes(p)).map((p) => p.rule));
    const partial = countBy(mine.filter((p) => touched.includes(p) && !full.includes(p)).map((p) => p.rule));
    if (missed) notes.push(`${source} not touched: ${missed}`);
    if (partial) notes.push(`${source} touched, not fully redacted: ${partial}`);
    const flaggedBy = countBy(flagged.map((x) => x.rule));
    if (flaggedBy) notes.push(`${source} other negatives flagged (peer rule id): ${flaggedBy}`);
  }
  return { title: 'Recall: published examples of noseyparker and gitleaks, fresh random values', rows, notes };
}

function countBy(ids, max = 40) {
  const m = new Map();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  const list = [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = list.slice(0, max).map(([k, v]) => (v > 1 ? `${k}×${v}` : k));
  return shown.join(', ') + (list.length > max ? `, … ${list.length - max} more rules` : '');
}
