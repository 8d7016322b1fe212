// Builds dist/ from the sources once, before any test file loads: the CLI, package and worker-pool
// tests run compiled code, so they must never run a stale or missing build. A compile error fails the run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export default function buildDist(): void {
  // a clean tree: a module deleted from src/ must not linger in dist/ for a test to import
  fs.rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tests need dist/ and tsc failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}
