// A real dump of a TLS-using Node process: an HTTPS server with a fresh RSA key and a leaf
// certificate (openssl), a few requests to itself over TLS, then gcore. Kept in the bench's temp
// dir between runs; the key file is deleted at once (the core still holds the key: it is the point).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from './measure.mjs';

const SERVER = `
const https = require('node:https');
const fs = require('node:fs');
const s = https.createServer({ key: fs.readFileSync(process.env.KEY), cert: fs.readFileSync(process.env.CERT) }, (q, r) => r.end('ok'));
s.listen(0, '127.0.0.1', async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((res) => https.get({ host: '127.0.0.1', port: s.address().port, rejectUnauthorized: false }, (r) => { r.resume(); r.on('end', res); }));
  }
  fs.rmSync(process.env.KEY);
  console.log('ready');
});
`;

/** Path of the core (made on first use), or a reason it cannot be made here. */
export async function tlsCore(dir) {
  const file = path.join(dir, 'node-tls-g1.core');
  if (fs.existsSync(file)) return { file };
  for (const tool of ['openssl', 'gcore']) if (!which(tool)) return { skipped: `${tool} not installed` };
  fs.mkdirSync(dir, { recursive: true });
  const work = fs.mkdtempSync(path.join(dir, 'tls-'));
  try {
    const key = path.join(work, 'key.pem');
    const cert = path.join(work, 'cert.pem');
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-addext', 'basicConstraints=critical,CA:FALSE', '-days', '2'],
      { stdio: 'ignore' },
    );
    if (r.status !== 0) return { skipped: 'openssl req failed' };
    const child = spawn(process.execPath, ['-e', SERVER], { env: { ...process.env, KEY: key, CERT: cert }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((res, rej) => {
        child.stdout.once('data', res);
        child.once('exit', () => rej(new Error('TLS server exited')));
      });
      const g = spawnSync('gcore', ['-o', path.join(work, 'core'), String(child.pid)], { stdio: 'ignore', timeout: 120_000 });
      if (g.status !== 0) return { skipped: 'gcore failed (ptrace not permitted?)' };
    } finally {
      child.kill('SIGKILL');
    }
    const core = fs.readdirSync(work).find((f) => f.startsWith('core.'));
    if (!core) return { skipped: 'gcore wrote nothing' };
    fs.renameSync(path.join(work, core), file);
    return { file };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
