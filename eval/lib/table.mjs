// Plain-text tables for the eval: one per suite, then a summary of targets met.

function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return String(v);
}

function verdict(row) {
  if (row.pass === undefined || row.pass === null) return '';
  return row.pass ? 'PASS' : 'MISS';
}

export function formatSuite(r) {
  const lines = [`\n== ${r.title} (${r.suite}, ${r.seconds ?? '?'} s)`];
  if (r.error) lines.push(`   ERROR: ${r.error}`);
  const rows = r.rows.map((x) => [x.name, `${fmt(x.value)}${x.unit ? ' ' + x.unit : ''}`, x.target ?? '', verdict(x)]);
  if (rows.length) {
    const head = ['measure', 'value', 'target', ''];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells) =>
      '   ' +
      cells
        .map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i])))
        .join('  ')
        .trimEnd();
    lines.push(line(head), '   ' + w.map((n) => '-'.repeat(n)).join('  '));
    for (const row of rows) lines.push(line(row));
  }
  for (const n of r.notes ?? []) lines.push(`   · ${n}`);
  return lines.join('\n');
}

export function formatSummary(results) {
  const lines = ['\n== Summary'];
  let pass = 0;
  let miss = 0;
  for (const r of results) {
    const t = r.rows.filter((x) => x.pass === true || x.pass === false);
    const p = t.filter((x) => x.pass).length;
    pass += p;
    miss += t.length - p;
    const missed = t.filter((x) => !x.pass).map((x) => x.name);
    lines.push(`   ${r.suite.padEnd(12)} ${r.error ? 'ERROR' : `${p}/${t.length} targets met`}${missed.length ? ` — MISS: ${missed.join('; ')}` : ''}`);
  }
  lines.push(`   total        ${pass} PASS, ${miss} MISS${results.some((r) => r.error) ? ', some suites failed to run' : ''}`);
  return lines.join('\n');
}
