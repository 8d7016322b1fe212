// Real processes as material: Node, Python and a JVM that loaded the system CA store and attempted a
// TLS handshake with a local server. Recall: the same processes holding planted secrets (gcore
// cores; HPROF for the JVM), every occurrence of every secret must be gone. Precision: the same
// processes holding nothing secret: every changed byte is over-redaction unless a self-verifying key
// detector found it (the process's own DRBG and TLS keys), shown apart.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:tls';
import { join } from 'node:path';
import { byRule, coverage, mergeSpans, scrubMeasure } from '../lib/dumpscrub.mjs';
import { isKeyMaterial, splitChanged } from '../lib/key-material.mjs';
import { makeSecrets, occurrencesAll } from '../lib/planted.mjs';
import { gcore, has, heapDump, prepareTargets, startTarget } from '../lib/targets.mjs';

/** A local TLS server with a throwaway self-signed certificate (needs the openssl CLI). */
async function tlsServer(dir) {
  if (!has('openssl')) return undefined;
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => s.end());
  server.on('tlsClientError', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  rmSync(key);
  return server;
}

export default async function processes(env) {
  const title = 'Real processes: planted secrets (recall) and clean TLS processes (precision)';
  const rows = [];
  const notes = [];
  const canCore = has('gcore') && has('gdb');
  if (!canCore) notes.push('cores skipped: gcore/gdb not installed (apt-get install gdb)');
  const targets = prepareTargets(join(env.tmp, 'targets'));
  const server = await tlsServer(env.tmp);
  if (!server) notes.push('no local TLS handshake: openssl not installed (apt-get install openssl); CA stores are still loaded');
  const port = server?.address().port;
  try {
    const secrets = makeSecrets();
    for (const [name, launcher] of Object.entries(targets)) {
      if (typeof launcher === 'string') {
        notes.push(`${name} skipped: ${launcher}`);
        continue;
      }
      for (const planted of [true, false]) {
        const child = await startTarget(launcher, port, planted ? secrets : []);
        const dumps = [];
        try {
          if (canCore) dumps.push(['core', gcore(child.pid, env.tmp)]);
          if (name === 'java') dumps.push(['hprof', heapDump(child.pid, env.tmp)]);
        } finally {
          child.kill('SIGKILL');
        }
        for (const [kind, file] of dumps) {
          const label = `${name} ${kind}`;
          env.log(`${label}${planted ? '' : ' (clean)'}: ${(readFileSync(file).length / 2 ** 20).toFixed(0)} MiB`);
          if (planted) await recall(env, label, file, secrets, rows, notes);
          else await precision(env, label, file, rows, notes);
          rmSync(file, { force: true });
        }
      }
    }
  } finally {
    server?.close();
  }
  return { title, rows, notes };
}

async function recall(env, label, file, secrets, rows, notes) {
  let present = 0;
  let removed = 0;
  const survived = [];
  const absent = [];
  const m = await scrubMeasure(env.cli, file, join(env.tmp, 'out'), join(env.tmp, 'report.json'), [], {
    inspect(input, output, findingSpans) {
      // without a published copy, an occurrence counts as removed when the reported findings cover it
      const cov = coverage(findingSpans ?? []);
      const gone = ([a, b]) => {
        if (!output) return cov(a, b) === b - a;
        for (let i = a; i < b; i++) if (input[i] !== 0 && output[i] === input[i]) return false;
        return true;
      };
      const found = occurrencesAll(
        input,
        secrets.flatMap((s) => s.needles),
      );
      let k = 0;
      for (const s of secrets) {
        const occ = s.needles.flatMap(() => found[k++]);
        if (!occ.length) {
          absent.push(s.kind);
          continue;
        }
        present++;
        if (occ.every(gone)) removed++;
        else survived.push(`${s.kind} (${occ.filter((o) => !gone(o)).length}/${occ.length} copies)`);
      }
    },
  });
  rows.push({ name: `${label}: planted secrets removed`, value: `${removed}/${present}`, target: 'all', pass: present > 0 && removed === present });
  notes.push(
    `${label}: scrub exit ${m.code}, ${m.findings.length} findings${m.published ? '' : ' (not published: finding spans used)'}${survived.length ? `; survived: ${survived.join(', ')}` : ''}${absent.length ? `; not in the dump at all: ${absent.join(', ')}` : ''}`,
  );
}

async function precision(env, label, file, rows, notes) {
  const m = await scrubMeasure(env.cli, file, join(env.tmp, 'out'), join(env.tmp, 'report.json'));
  const ppm = (n) => (n / m.size) * 1e6;
  // the process's own keys (DRBG schedules, TLS ephemeral keys) are secrets, correctly redacted
  const { key, rest } = splitChanged(m.spans, m.findings, coverage, mergeSpans);
  rows.push({ name: `${label} (clean): bytes changed, all`, value: ppm(m.changed), unit: 'ppm' });
  rows.push({ name: `${label} (clean): … self-verifying key material`, value: ppm(key), unit: 'ppm' });
  rows.push({ name: `${label} (clean): … everything else`, value: ppm(rest), unit: 'ppm', target: '≤ 20 ppm', pass: ppm(rest) <= 20 });
  rows.push({ name: `${label} (clean): findings per GiB`, value: Math.round((m.findings.length / m.size) * 2 ** 30) });
  const keyFindings = m.findings.filter((f) => isKeyMaterial(f.ruleId));
  const other = m.findings.filter((f) => !isKeyMaterial(f.ruleId));
  notes.push(
    `${label} (clean): ${(m.size / 2 ** 20).toFixed(0)} MiB, scrub exit ${m.code}${m.published ? '' : ' (not published: finding spans used)'}, ${m.findings.length} findings; key material: ${keyFindings.length ? byRule(keyFindings) : 'none'}; everything else: ${other.length ? byRule(other) : 'none'}`,
  );
}
