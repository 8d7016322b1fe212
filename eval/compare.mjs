#!/usr/bin/env node
// Markdown table of two eval results side by side (e.g. before and after a change):
//   node eval/compare.mjs BEFORE.json AFTER.json     (files written by `npm run eval`)
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (!a || !b) {
  process.stderr.write('usage: node eval/compare.mjs BEFORE.json AFTER.json\n');
  process.exit(2);
}
const fmt = (r) => {
  if (!r) return '—';
  const v = typeof r.value === 'number' ? (Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(Math.abs(r.value) >= 100 ? 0 : 1)) : String(r.value);
  return `${v}${r.unit ? ' ' + r.unit : ''}${r.pass === true ? ' ✓' : r.pass === false ? ' ✗' : ''}`;
};
const out = [`| suite | measure | ${a.commit ?? 'before'} | ${b.commit ?? 'after'} | target |`, '|---|---|---|---|---|'];
for (const sb of b.suites) {
  const sa = a.suites.find((s) => s.suite === sb.suite);
  for (const rb of sb.rows) {
    const key = rb.name.replace(/\s*\(\d+\/\d+\)|\s*\(of \d+\)/, '');
    const ra = sa?.rows.find((r) => r.name.replace(/\s*\(\d+\/\d+\)|\s*\(of \d+\)/, '') === key);
    out.push(`| ${sb.suite} | ${rb.name} | ${fmt(ra)} | ${fmt(rb)} | ${rb.target ?? ''} |`);
  }
}
process.stdout.write(out.join('\n') + '\n');
