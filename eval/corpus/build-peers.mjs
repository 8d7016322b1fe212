#!/usr/bin/env node
// Rebuilds eval/corpus/peers.json from the published rule examples of noseyparker (Apache-2.0) and
// gitleaks (MIT). Each positive example becomes a SHAPE: its context text, with the expected secret
// (the rule's capture group, found by the peer's own pattern) replaced by placeholders of the same
// character classes, vendor prefixes kept literal. `npm run eval` fills the placeholders with fresh
// random values, so no peer's token and no real-looking secret is committed.
//
//   node eval/corpus/build-peers.mjs [--np DIR] [--gl DIR]
// DIRs are git clones (bare or not) of the two projects; needs python3 with `regex` and `yaml`
// (pip install regex pyyaml) to read the peers' regex syntax and YAML.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Evaluator, tokenize } from './gosubset.mjs';
import { sampleParts } from './sampler.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const k = process.argv.indexOf(name);
  return k > 0 ? process.argv[k + 1] : dflt;
};
const NP = arg('--np');
const GLD = arg('--gl');
if (!NP || !GLD) {
  process.stderr.write('usage: node eval/corpus/build-peers.mjs --np <noseyparker git dir> --gl <gitleaks git dir>\n');
  process.exit(2);
}

const git = (dir, ...a) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const headOf = (dir) => git(dir, 'rev-parse', 'HEAD').trim();
const py = (args, input) => JSON.parse(execFileSync('python3', [join(HERE, 'locate.py'), ...args], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));

// Deterministic choices (repeat counts, sample fills) so a rebuild gives the same file.
let seed = 20261203;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

const NP_SECRET_GROUP = { 'np.mongodb.1': 2, 'np.postgres.1': 2 };

// ---- read the peers' examples -------------------------------------------------------------------
function noseyparker() {
  const dir = 'crates/noseyparker/data/default/builtin/rules';
  const files = git(NP, 'ls-tree', '-r', '--name-only', 'HEAD', dir).split('\n').filter((f) => f.endsWith('.yml'));
  const docs = py(['--yaml'], files.map((f) => git(NP, 'show', `HEAD:${f}`)));
  const items = [];
  for (const doc of docs) {
    for (const r of doc?.rules ?? []) {
      // Several groups: the secret is the last one (user, password; id, secret; host, user, password), except where the host comes last.
      const group = NP_SECRET_GROUP[r.id] ?? 'last';
      const identifier = !(r.categories ?? []).includes('secret');
      for (const ex of r.examples ?? []) items.push({ source: 'noseyparker', rule: r.id, regex: r.pattern, group, identifier, pos: true, parts: [ex] });
      for (const ex of r.negative_examples ?? []) items.push({ source: 'noseyparker', rule: r.id, regex: r.pattern, pos: false, parts: [ex] });
    }
  }
  return { items, files: files.length };
}

function gitleaks() {
  const dir = 'cmd/generate/config/rules';
  const files = git(GLD, 'ls-tree', '-r', '--name-only', 'HEAD', dir).split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const items = [];
  const skipped = [];
  for (const f of files) {
    const ev = new Evaluator(tokenize(git(GLD, 'show', `HEAD:${f}`)));
    ev.run(f.split('/').pop());
    skipped.push(...ev.skipped);
    for (const r of ev.rules) {
      if (!r.regex) continue;
      const group = typeof r.secretGroup === 'number' ? r.secretGroup : 'first';
      for (const tp of r.tps) if (Array.isArray(tp)) items.push({ source: 'gitleaks', rule: r.id, regex: r.regex, group, pos: true, parts: tp });
      for (const fp of r.fps) if (Array.isArray(fp)) items.push({ source: 'gitleaks', rule: r.id, regex: r.regex, pos: false, parts: fp });
    }
  }
  return { items, files: files.length, skipped };
}

// ---- shapes -------------------------------------------------------------------------------------
const ALPHA = new Map(); // alphabet string -> short key
const alphabetOf = (key) => [...ALPHA].find(([, k]) => k === key)[0];
function alphaKey(set) {
  if (!ALPHA.has(set)) ALPHA.set(set, `a${ALPHA.size}`);
  return ALPHA.get(set);
}
const fill = (set, n) => Array.from({ length: n }, () => set[Math.floor(rand() * set.length)]).join('');

/** Segments { text, set?, structural? }: literals and placeholders with a sample value filled in. */
function concretize(parts) {
  const segs = [];
  // Short literals written in code next to a generated part are the rule's fixed text (a prefix, a separator).
  const generated = parts.some((p) => typeof p === 'object' && p.re !== undefined);
  const code = (t) => generated && t.length <= 12;
  for (const p of parts) {
    if (typeof p === 'string') segs.push({ text: p, code: code(p) });
    else if (p.l !== undefined) segs.push({ text: p.l, structural: true, code: code(p.l) });
    else if (p.re !== undefined) {
      for (const q of sampleParts(p.re, rand)) {
        // a literal of the generator's own pattern (`ey` of a JWT, a vendor prefix) stays literal
        if (typeof q === 'string') segs.push({ text: q, structural: p.secret, code: true });
        else segs.push({ text: fill(q.a, q.n), set: q.a, structural: p.secret });
      }
    }
  }
  return segs;
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const CANDIDATES = [DIGITS, DIGITS + 'abcdef', DIGITS + 'ABCDEF', LOWER, UPPER, DIGITS + LOWER, DIGITS + UPPER, UPPER + LOWER, DIGITS + UPPER + LOWER];
/** The smallest usual alphabet that holds every character of an alphanumeric run. */
function classOf(run) {
  for (const c of CANDIDATES) if ([...run].every((ch) => c.includes(ch))) return [...c].sort().join('');
  return [...DIGITS + UPPER + LOWER].sort().join('');
}

const norm = (re) => re.replace(/\\([-._/:@=+#])/g, '$1').toLowerCase();
/** Literal pieces of a peer token that its pattern spells out (vendor prefixes, fixed markers). */
function literalRuns(text, reSrc) {
  const src = norm(reSrc);
  const keep = new Array(text.length).fill(false);
  // A prefix of 3+ characters that the pattern names, then inner markers of 5+.
  for (let i = 0; i < text.length; i++) {
    const min = i === 0 ? 3 : 5;
    let best = 0;
    for (let len = min; i + len <= text.length; len++) {
      if (src.includes(text.slice(i, i + len).toLowerCase())) best = len;
      else if (len > min + 2 && best === 0) break;
    }
    if (best && (i === 0 || /[^A-Za-z0-9]/.test(text[i - 1]) || /[A-Za-z0-9]/.test(text.slice(i, i + best)))) {
      for (let k = i; k < i + best; k++) keep[k] = true;
      i += best - 1;
    }
  }
  return keep;
}

/** A literal inside the expected secret: alphanumeric runs become placeholders, except pattern literals. */
function shapeSecretLiteral(text, reSrc, fixed) {
  const keep = literalRuns(text, reSrc);
  for (let k = 0; k < text.length; k++) if (fixed?.(k)) keep[k] = true;
  // escapes such as \n in JSON- or code-quoted examples are layout, not secret
  for (const m of text.matchAll(/\\[nrt"'\\/]/g)) keep[m.index] = keep[m.index + 1] = true;
  // `eyJ` opens base64 of a JSON object (`{"`): the structure of a JOSE header or payload, not secret
  for (const m of text.matchAll(/(?<![A-Za-z0-9+/_-])eyJ/g)) keep[m.index] = keep[m.index + 1] = keep[m.index + 2] = true;
  const out = [];
  let i = 0;
  while (i < text.length) {
    if (keep[i] || !/[A-Za-z0-9]/.test(text[i])) {
      let j = i;
      while (j < text.length && (keep[j] || !/[A-Za-z0-9]/.test(text[j]))) j++;
      out.push({ l: text.slice(i, j), s: 1 });
      i = j;
    } else {
      let j = i;
      while (j < text.length && !keep[j] && /[A-Za-z0-9]/.test(text[j])) j++;
      out.push({ c: alphaKey(classOf(text.slice(i, j))), n: j - i, s: 1 });
      i = j;
    }
  }
  return out;
}

/** Context literals keep their text, but token-like runs (16+ alphanumerics mixing digits and letters) become placeholders. */
function shapeContextLiteral(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/(?<!\\)[A-Za-z0-9+/]{16,}/g)) {
    if (!(/[0-9]/.test(m[0]) && /[A-Za-z]/.test(m[0]))) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    for (const run of m[0].split(/([+/])/)) {
      if (!run) continue;
      out.push(/^[+/]$/.test(run) ? run : { c: alphaKey(classOf(run)), n: run.length });
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Splits literals so that no committed string reads as a credential to a line-based scanner. */
const TRIP = /(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|AKIA|ASIA|xox[a-z]-|PRIV|sk-|sk_live|glpat-|npm_)/g;
function defang(parts) {
  const out = [];
  for (const p of parts) {
    const text = typeof p === 'string' ? p : p.l;
    if (text === undefined) {
      out.push(p);
      continue;
    }
    const pieces = text.split(TRIP).reduce((acc, x, k) => {
      if (k % 2 === 1) acc.push(x.slice(0, 2), x.slice(2));
      else if (acc.length) acc[acc.length - 1] += x;
      else acc.push(x);
      return acc;
    }, []);
    for (const piece of pieces) if (piece) out.push(typeof p === 'string' ? piece : { ...p, l: piece });
  }
  return out;
}

function shapeOf(item, spans, fixed) {
  const segs = concretize(item.parts);
  const text = segs.map((s) => s.text).join('');
  let expected = spans?.[0];
  if (!expected && segs.some((s) => s.structural)) {
    // the peer's pattern did not match its own layout here: use where the generator put the secret
    let off = 0;
    for (const s of segs) {
      if (s.structural) expected = expected ? [expected[0], off + s.text.length] : [off, off + s.text.length];
      off += s.text.length;
    }
  }
  if (!expected) return undefined;
  const cuts = new Set([0, text.length, expected[0], expected[1]]);
  let off = 0;
  for (const s of segs) {
    cuts.add(off);
    off += s.text.length;
  }
  const sorted = [...cuts].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);
  const out = [];
  off = 0;
  for (const s of segs) {
    for (let k = 0; k < sorted.length - 1; k++) {
      const a = Math.max(sorted[k], off);
      const b = Math.min(sorted[k + 1], off + s.text.length);
      if (b <= a) continue;
      const piece = s.text.slice(a - off, b - off);
      const inSecret = a >= expected[0] && b <= expected[1];
      if (s.set) out.push(inSecret ? { c: alphaKey(s.set), n: piece.length, s: 1 } : { c: alphaKey(s.set), n: piece.length });
      else if (inSecret && s.code) out.push({ l: piece, s: 1 });
      else if (inSecret) out.push(...shapeSecretLiteral(piece, item.regex, (k) => fixed?.has(a + k)));
      else out.push(...shapeContextLiteral(piece));
    }
    off += s.text.length;
  }
  return merge(out);
}

function merge(parts) {
  const out = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p.l !== undefined && last && last.l !== undefined && last.s === p.s) last.l += p.l;
    else out.push(p);
  }
  return out;
}

// ---- main ---------------------------------------------------------------------------------------
const np = noseyparker();
const gl = gitleaks();
const all = [...np.items, ...gl.items];
const pos = all.filter((x) => x.pos);
const texts = pos.map((x) => concretize(x.parts).map((s) => s.text).join(''));
seed = 20261203; // the same sample fills again for the shapes
const located = py([], pos.map((x, k) => ({ pattern: x.regex, text: texts[k], group: x.group })));

// Short runs the pattern pins (an algorithm id such as bcrypt's `2a` in `$2a$`, a version digit) stay
// literal: most other values of the run's class no longer match the peer's own pattern there.
const PIN_MAX = 4;
const PIN_EACH_MAX = 8;
const PIN_TRIES = 16;
let pinSeed = 4242;
const pinRand = () => (pinSeed = (pinSeed * 16807) % 2147483647) / 2147483647;
const probes = [];
pos.forEach((item, k) => {
  const span = located[k].spans?.[0];
  if (!span || item.parts.some((p) => typeof p !== 'string')) return;
  const text = texts[k];
  const lit = literalRuns(text.slice(span[0], span[1]), item.regex);
  // runs between literals: Dynatrace's `c01` after the literal `dt0` is a run of its own
  const runs = [];
  for (const m of text.slice(span[0], span[1]).matchAll(/[A-Za-z0-9]+/g)) {
    for (let i = m.index, j; i < m.index + m[0].length; i = j) {
      j = i + 1;
      while (j < m.index + m[0].length && lit[j] === lit[i]) j++;
      if (!lit[i]) runs.push({ index: i, 0: text.slice(span[0] + i, span[0] + j) });
    }
  }
  const probe = (at, run, set, each) => {
    for (let t = 0; t < PIN_TRIES; t++) {
      let v;
      do v = Array.from(run, () => set[Math.floor(pinRand() * set.length)]).join('');
      while (v === run && set.length ** run.length > 1);
      probes.push({ k, at, n: run.length, span, each, set, text, item, job: { pattern: item.regex, text: text.slice(0, at) + v + text.slice(at + run.length), group: item.group } });
    }
  };
  for (const m of runs) if (m[0].length <= PIN_EACH_MAX) probe(span[0] + m.index, m[0], classOf(m[0]), m[0].length > PIN_MAX);
});
/** Keys `${k}:${at}:${n}` of the probed runs most of whose variants the peer's pattern refused. */
function refusedRuns(list) {
  const probed = list.length ? py([], list.map((p) => p.job)) : [];
  const failed = new Map();
  list.forEach((p, i) => {
    const ok = (probed[i].spans ?? []).some((s) => s[0] === p.span[0] && s[1] === p.span[1]);
    const key = `${p.k}:${p.at}:${p.n}`;
    failed.set(key, (failed.get(key) ?? 0) + (ok ? 0 : 1));
  });
  return [...failed].filter(([, fails]) => fails * 4 >= PIN_TRIES * 3).map(([key]) => key);
}
const pinned = new Map(); // example index -> absolute positions kept literal
const pin = (key) => {
  const [k, at, n] = key.split(':').map(Number);
  if (!pinned.has(k)) pinned.set(k, new Set());
  for (let i = at; i < at + n; i++) pinned.get(k).add(i);
};
// a longer run the pattern refuses is pinned only where it must be, character by character (Entra's
// `8Q` in `abc8Q~…`; its first three are any)
const longer = [];
for (const key of refusedRuns(probes)) {
  const p = probes.find((q) => `${q.k}:${q.at}:${q.n}` === key);
  if (!p.each) pin(key);
  else for (let i = 0; i < p.n; i++) longer.push({ ...p, at: p.at + i, n: 1 });
}
const eachProbes = [];
for (const p of longer) {
  const ch = p.text[p.at];
  for (let t = 0; t < PIN_TRIES; t++) {
    let v;
    do v = p.set[Math.floor(pinRand() * p.set.length)];
    while (v === ch && p.set.length > 1);
    eachProbes.push({ ...p, job: { pattern: p.item.regex, text: p.text.slice(0, p.at) + v + p.text.slice(p.at + 1), group: p.item.group } });
  }
}
for (const key of refusedRuns(eachProbes)) pin(key);

const examples = [];
const exampleOf = new Map(); // positive item index -> its example
const stats = { noseyparker: { pos: 0, neg: 0, unlocated: 0 }, gitleaks: { pos: 0, neg: 0, unlocated: 0 } };
pos.forEach((item, k) => {
  const parts = shapeOf(item, located[k].spans, pinned.get(k));
  if (!parts) {
    stats[item.source].unlocated++;
    return;
  }
  stats[item.source].pos++;
  exampleOf.set(k, examples.length);
  examples.push({ source: item.source, rule: item.rule, ...(item.identifier ? { identifier: true } : {}), parts: defang(parts) });
});

// A fill must still match the peer's own pattern: a generator's class can hold characters its
// detection pattern refuses (gitleaks' Square sample class `[0-9A-Za-z\\-_]` is the range `\\`…`_` in
// Go, so `\\`, `]` and `^`, none of which `[\\w-]` takes). Each punctuation character of a secret
// placeholder is tried in the example filled with letters and digits; those the pattern refuses there
// leave the placeholder.
const tries = [];
pos.forEach((item, k) => {
  const parts = examples[exampleOf.get(k)]?.parts;
  if (!parts) return;
  // the example with every placeholder filled with letters and digits of its alphabet
  const fillOf = (p, i) => {
    const set = [...alphabetOf(p.c)].filter((ch) => /[A-Za-z0-9]/.test(ch));
    return set.length ? set[(i * 7 + 3) % set.length] : alphabetOf(p.c)[0];
  };
  let text = '';
  let span;
  const probes = [];
  for (const p of parts) {
    const at = text.length;
    text += typeof p === 'string' ? p : p.l !== undefined ? p.l : Array.from({ length: p.n }, (_, i) => fillOf(p, i)).join('');
    if (typeof p === 'object' && p.s) span = span ? [span[0], text.length] : [at, text.length];
    if (typeof p === 'object' && p.c !== undefined && p.s) probes.push({ p, at: at + (p.n >> 1) });
  }
  const job = (t) => ({ pattern: item.regex, text: t, group: item.group });
  for (const { p, at } of probes) {
    for (const ch of alphabetOf(p.c)) {
      if (/[A-Za-z0-9]/.test(ch)) continue;
      tries.push({ p, ch, span, base: job(text), job: job(text.slice(0, at) + ch + text.slice(at + 1)) });
    }
  }
});
const tried = tries.length ? py([], tries.flatMap((t) => [t.base, t.job])) : [];
const refused = new Map(); // placeholder -> characters its pattern refused
const exact = (r, span) => (r.spans ?? []).some((s) => s[0] === span[0] && s[1] === span[1]);
tries.forEach((t, i) => {
  // only where the pattern finds the plain fill exactly can a refusal be told apart
  if (!exact(tried[2 * i], t.span) || exact(tried[2 * i + 1], t.span)) return;
  if (!refused.has(t.p)) refused.set(t.p, new Set());
  refused.get(t.p).add(t.ch);
});
for (const [p, chars] of refused) p.c = alphaKey([...alphabetOf(p.c)].filter((ch) => !chars.has(ch)).join(''));

const negatives = [];
for (const item of all.filter((x) => !x.pos)) {
  const parts = item.parts.map((p) => (typeof p === 'string' ? p : p.l ?? p)).filter((p) => typeof p === 'string');
  if (parts.length !== item.parts.length) continue;
  stats[item.source].neg++;
  negatives.push({ source: item.source, rule: item.rule, parts: defang([parts.join('')]) });
}

const out = {
  schema: 'dumpscrub.peers-corpus/v1',
  about: 'Shapes of the published rule examples of noseyparker (Apache-2.0) and gitleaks (MIT); see NOTICE. Placeholders { c: alphabet, n: length } are filled with fresh random values at eval time; parts with s: 1 form the expected secret. Literals are split so that no line reads as a credential.',
  sources: {
    noseyparker: { repo: 'https://github.com/praetorian-inc/noseyparker', commit: headOf(NP), license: 'Apache-2.0', files: np.files },
    gitleaks: { repo: 'https://github.com/gitleaks/gitleaks', commit: headOf(GLD), license: 'MIT', files: gl.files, statementsNotRead: gl.skipped.length },
  },
  stats,
  alphabets: Object.fromEntries([...ALPHA].map(([set, key]) => [key, set])),
  examples,
  negatives,
};
const json = JSON.stringify(out, null, 0).replace(/\},\{"source"/g, '},\n{"source"');
for (const re of [/AKIA[0-9A-Z]{16}/, /ghp_[0-9A-Za-z]{36}/, /-----BEGIN[A-Z ]*PRIVATE KEY/]) {
  if (re.test(json)) throw new Error(`peers.json would contain text matching ${re}`);
}
writeFileSync(join(HERE, 'peers.json'), json + '\n');
process.stderr.write(`peers.json: ${JSON.stringify(stats)}; gitleaks statements not read: ${gl.skipped.length}\n`);
