// The published package: `npm pack`, install the tarball into an empty directory, run the bin and the library.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; name: string };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// npm must not touch the network unexpectedly, prompt, or write to the repository
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_yes: 'true' };

describe('npm package', () => {
  let work: string;
  let tarball: string;
  let packed: string[];
  let manifest: { scripts?: Record<string, string> };
  let afterPack: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-pack-'));
    // packed from a copy of the checkout without dist/, with its lifecycle scripts: prepack must build
    // dist/ and rewrite the manifest, and neither may touch the files other tests are running
    const stage = path.join(work, 'stage');
    fs.mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'src', 'scripts', 'kernels']) {
      fs.cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', work], { cwd: stage, env: npmEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
    const info = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(work, info[0].filename);
    packed = info[0].files.map((f) => f.path);
    manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    afterPack = fs.readFileSync(path.join(stage, 'package.json'), 'utf8');
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    // dependencies come from the local npm cache (filled by `npm ci`); the network is only a fallback
    execFileSync(NPM, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: app,
      env: npmEnv,
      stdio: 'pipe',
      timeout: 240_000,
    });
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships dist, README, LICENSE and CHANGELOG, and nothing from src, test or fixtures', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/kernels/factor-sieve.wasm']) {
      expect(packed).toContain(f);
    }
    expect(packed.filter((f) => /^(src|test|fixtures|bench|scripts|kernels|\.ci)\//.test(f))).toEqual([]);
    expect(path.basename(tarball)).toBe(`${PKG.name}-${PKG.version}.tgz`);
  });

  it('has no install script: the packed manifest drops prepare, the checkout keeps it to build dist/', () => {
    const scripts = Object.keys(manifest.scripts ?? {});
    for (const s of ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare']) expect(scripts).not.toContain(s);
    expect(packed).toContain('dist/cli.js');
    // postpack put the checkout's manifest back byte for byte
    expect(afterPack).toBe(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(JSON.parse(afterPack).scripts.prepare).toMatch(/tsc/);
  });

  it('installs a working `dumpscrub` bin: --version and --help', () => {
    const app = path.join(work, 'app');
    const bin = path.join(app, 'node_modules', '.bin', 'dumpscrub');
    expect(fs.existsSync(bin)).toBe(true);
    const version = spawnSync(bin, ['--version'], { cwd: app, encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(PKG.version);
    const help = spawnSync(NPM, ['exec', '--offline', '--', 'dumpscrub', '--help'], { cwd: app, encoding: 'utf8', env: npmEnv });
    expect(help.status).toBe(0);
    for (const word of ['scan', 'scrub', 'verify', 'gate', 'config', 'Exit codes']) expect(help.stdout).toContain(word);
  });

  it('exposes the typed library API', () => {
    const app = path.join(work, 'app');
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { scan, scrub, verify, EXIT } from 'dumpscrub'; console.log([typeof scan, typeof scrub, typeof verify, EXIT.IO].join(','));"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function,function,function,3');
    const dts = fs.readFileSync(path.join(app, 'node_modules', 'dumpscrub', 'dist', 'index.d.ts'), 'utf8');
    expect(dts).toMatch(/export declare function scan\(/);
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'dumpscrub', 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.engines.node).toBe('>=20');
  });
});
