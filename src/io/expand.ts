// Command-line paths to inputs: files, directories (recursively) and globs, leaving out our own outputs.
import { promises as fsp } from 'node:fs';
import type * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors.js';

export interface ExpandOptions {
  followSymlinks?: boolean;
  /** Directories whose files a directory or glob expansion never yields (--out-dir, --quarantine). */
  excludeDirs?: string[];
}

/** fast-glob and its dependencies load on first use: a plain file path never needs them. */
let globber: typeof import('fast-glob') | undefined;

async function fastGlob(): Promise<typeof import('fast-glob')> {
  return (globber ??= (await import('fast-glob')).default);
}

/** One input: its path, and its path below the directory or glob base it was found under. */
export interface ExpandedInput {
  file: string;
  /** Relative name to keep under --out-dir (the basename for a file named explicitly). */
  rel: string;
}

/** Names dumpscrub gives its own copies (`x.scrubbed.dmp`, `x.scrubbed.dmp.gz`, `stdin.scrubbed`). */
export function isScrubOutputName(name: string): boolean {
  return /\.scrubbed(\.[^./]+)*$/.test(path.basename(name));
}

export interface Expansion {
  inputs: ExpandedInput[];
  /** Patterns (globs) that matched nothing: not an error, nothing to scan. */
  unmatched: string[];
  /** Earlier outputs of dumpscrub a directory or glob expansion left out. */
  skippedOutputs: string[];
}

/**
 * Files, directories (recursively) and globs → unique inputs in order; '-' stays as stdin. Our own
 * outputs (`*.scrubbed.*`, anything under `excludeDirs`) are inputs only when named explicitly.
 */
export async function expandInputs(patterns: string[], opts: ExpandOptions = {}): Promise<Expansion> {
  const out: ExpandedInput[] = [];
  const unmatched: string[] = [];
  const skippedOutputs: string[] = [];
  const excluded = await Promise.all((opts.excludeDirs ?? []).map((d) => fsp.realpath(d).catch(() => path.resolve(d))));
  const keep = async (file: string): Promise<boolean> => {
    const real = await fsp.realpath(file).catch(() => path.resolve(file));
    const ours = isScrubOutputName(file) || excluded.some((d) => real.startsWith(d + path.sep));
    if (ours) skippedOutputs.push(file);
    return !ours;
  };
  for (const p of patterns) {
    if (p === '-') {
      out.push({ file: '-', rel: 'stdin' });
      continue;
    }
    let st: fs.Stats | undefined;
    try {
      st = await fsp.stat(p);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) out.push({ file: p, rel: path.basename(p) });
    else if (st?.isDirectory()) {
      const fg = await fastGlob();
      const found = await fg('**/*', {
        cwd: p,
        onlyFiles: true,
        dot: false,
        followSymbolicLinks: opts.followSymlinks ?? false,
        absolute: false,
      });
      for (const f of found.sort()) if (await keep(path.join(p, f))) out.push({ file: path.join(p, f), rel: f });
    } else if ((await fastGlob()).isDynamicPattern(p)) {
      const fg = await fastGlob();
      const found = await fg(p, { onlyFiles: true, dot: false, followSymbolicLinks: opts.followSymlinks ?? false });
      if (found.length === 0) unmatched.push(p);
      const base = fg.generateTasks([p])[0]?.base ?? '.';
      for (const f of found.sort()) if (await keep(f)) out.push({ file: f, rel: path.relative(base, f) || path.basename(f) });
    } else if (st) {
      throw new UsageError(`${p}: not a regular file or directory`);
    } else {
      // kept: the per-file pass fails it with its own FAILED line and audit record; the rest still run
      out.push({ file: p, rel: path.basename(p) });
    }
  }
  const seen = new Set<string>();
  return { inputs: out.filter((i) => !seen.has(i.file) && Boolean(seen.add(i.file))), unmatched, skippedOutputs };
}
