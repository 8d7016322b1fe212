// Real processes to dump: Node, Python and a JVM that each load the system CA store and attempt a
// TLS handshake with a local server, then hold whatever secrets arrive on stdin (one per line, `\n`
// escaped) in the forms programs use. With empty stdin they hold no secret at all.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './children.mjs';

export function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const NODE_TARGET = `
import tls from 'node:tls';
const ctx = tls.createSecureContext();
const roots = tls.rootCertificates.length;
const port = Number(process.argv[2]);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const list = input.split('\\n').filter(Boolean).map((l) => l.replace(/\\\\n/g, '\\n'));
  globalThis.keep = { ctx, roots, list, byName: Object.fromEntries(list.map((v, i) => ['k' + i, v])), env: list.map((v, i) => 'SECRET_' + i + '=' + v).join('\\n'), bufs: list.map((v) => Buffer.from(v)) };
  const done = () => process.stdout.write('READY\\n');
  if (!port) return done();
  const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: ctx }, () => { s.end(); done(); });
  s.on('error', done);
  setInterval(() => {}, 1000);
});
`;

const PY_TARGET = `
import json, os, socket, ssl, sys, time
ctx = ssl.create_default_context()
cafile = ssl.get_default_verify_paths().cafile or '/etc/ssl/certs/ca-certificates.crt'
if os.path.exists(cafile):
    ctx.load_verify_locations(cafile=cafile)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if port:
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname='localhost') as s:
                pass
    except Exception:
        pass
lines = [l.replace('\\\\n', '\\n') for l in sys.stdin.read().split('\\n') if l]
keep = {'list': lines, 'by_name': {f'k{i}': v for i, v in enumerate(lines)}, 'env': '\\n'.join(f'SECRET_{i}={v}' for i, v in enumerate(lines)), 'bytes': [v.encode() for v in lines]}
print('READY', flush=True)
time.sleep(600)
`;

const JAVA_TARGET = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.*;
import javax.net.ssl.*;

public class Target {
  static Object keep;
  public static void main(String[] args) throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    if (args.length > 0) {
      try (SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
        s.setSoTimeout(5000);
        s.startHandshake();
      } catch (Exception e) {
        // an untrusted local certificate: the handshake ran as far as verification
      }
    }
    String in = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    List<String> list = new ArrayList<>();
    for (String l : in.split("\\n")) if (!l.isEmpty()) list.add(l.replace("\\\\n", "\\n"));
    Map<String, String> byName = new HashMap<>();
    StringBuilder env = new StringBuilder();
    List<char[]> chars = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      byName.put("k" + i, list.get(i));
      env.append("SECRET_").append(i).append('=').append(list.get(i)).append('\\n');
      chars.add(list.get(i).toCharArray());
    }
    keep = new Object[] {tmf, list, byName, env.toString(), chars};
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(600000);
  }
}
`;

/** Writes the target programs; compiles the Java one. Returns { node, python, java } launchers (or a reason). */
export function prepareTargets(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'target.mjs'), NODE_TARGET);
  writeFileSync(join(dir, 'target.py'), PY_TARGET);
  const out = {
    // --jitless: without it gcore also writes V8's 512 MiB JIT code reservation (no data, only time)
    node: { cmd: process.execPath, args: ['--jitless', join(dir, 'target.mjs')] },
    python: has('python3') ? { cmd: 'python3', args: [join(dir, 'target.py')] } : 'python3 not installed',
  };
  if (!has('java') || !has('javac') || !has('jcmd')) out.java = 'java/javac/jcmd not installed (apt-get install openjdk-17-jdk-headless)';
  else {
    writeFileSync(join(dir, 'Target.java'), JAVA_TARGET);
    execFileSync('javac', ['-d', dir, join(dir, 'Target.java')], { stdio: 'pipe', timeout: 120_000 });
    // a small heap keeps the core small; serial GC keeps the JVM's threads few
    // MALLOC_ARENA_MAX=2, as JVMs in containers are often run: otherwise gcore writes ~1 GiB of empty per-thread arena reservations
    out.java = {
      cmd: 'java',
      env: { MALLOC_ARENA_MAX: '2' },
      args: ['-Xmx64m', '-Xms16m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:ReservedCodeCacheSize=32m', '-XX:CompressedClassSpaceSize=32m', '-cp', dir, 'Target'],
    };
  }
  return out;
}

/** Starts a target, sends the secrets, waits for READY; the child is tracked and killed at the end. */
export async function startTarget(launcher, port, secrets) {
  const child = track(spawn(launcher.cmd, [...launcher.args, ...(port ? [String(port)] : [])], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...launcher.env } }));
  child.stdin.end(secrets.map((s) => s.text.replace(/\n/g, '\\n')).join('\n') + (secrets.length ? '\n' : ''));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${launcher.cmd} target never became ready`)), 60_000);
    let seen = '';
    child.stdout.on('data', (d) => {
      seen += d;
      if (seen.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${launcher.cmd} target exited early (${code})`));
    });
  });
  return child;
}

/** gcore of a live process; returns the core path. */
export function gcore(pid, dir) {
  const prefix = join(dir, 'core');
  execFileSync('gcore', ['-o', prefix, String(pid)], { stdio: 'pipe', timeout: 180_000 });
  const core = `${prefix}.${pid}`;
  if (!existsSync(core)) throw new Error('gcore wrote no core file');
  return core;
}

/** HPROF heap dump of a live JVM with jcmd; returns the file path. */
export function heapDump(pid, dir) {
  const file = join(dir, `heap.${pid}.hprof`);
  execFileSync('jcmd', [String(pid), 'GC.heap_dump', file], { stdio: 'pipe', timeout: 180_000 });
  if (!existsSync(file)) throw new Error('jcmd wrote no heap dump');
  return file;
}

export const sizeOf = (f) => statSync(f).size;
export const listDir = (d) => readdirSync(d);
