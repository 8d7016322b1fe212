// Builds dist/ from the sources once, before any test file loads, as `npm run build` does (tsc, then
// the command and the worker bundled, then the WebAssembly kernels): the CLI, package and worker-pool tests run what ships, so they
// must never run a stale or missing build. A compile or bundle error fails the run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

function run(what: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tests need dist/ and ${what} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

export default function buildDist(): void {
  // a clean tree: a module deleted from src/ must not linger in dist/ for a test to import
  fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  run('tsc', [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  run('the bundle', [path.join(ROOT, 'scripts', 'bundle.mjs')]);
  // the WebAssembly kernels, which the tests compare with their JavaScript references
  run('the kernel build', [path.join(ROOT, 'scripts', 'build-kernels.mjs')]);
}
