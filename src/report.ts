// Report renderers: text (chalk), JSON, JSONL, SARIF 2.1.0 and a CI summary. Pure: strings in, strings out.
// Only whitelisted fields are copied out of findings, so a stray `secret` property can never reach a report.
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Chalk, type ChalkInstance } from 'chalk';
import type { FileResult, Finding, Report, Verdict } from './types.js';

export const REPORT_SCHEMA = 'dumpscrub.report/v1';
const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'dumpscrubFingerprint/v1';

export interface RuleDescriptor {
  id: string;
  name: string;
  description: string;
}

interface TextOptions {
  color: boolean;
  /** Also list warnings and per-file metadata (hashes, output path). */
  verbose?: boolean;
}

// ---------------------------------------------------------------- colour decision

interface ColorInputs {
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** false when the user passed --no-color. */
  flag?: boolean;
}

/** Colour on or off, by the usual conventions: --no-color and NO_COLOR win, then FORCE_COLOR, then TTY. */
export function decideColor({ env, isTTY, flag }: ColorInputs): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force === 'false');
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

// ---------------------------------------------------------------- shared helpers

/** Replaces control characters so a hostile file name or label cannot drive the terminal. */
export function safeText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function hexOffset(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function findingOut(f: Finding) {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    start: f.start,
    end: f.end,
    length: f.end - f.start,
    offsetHex: hexOffset(f.start),
    encoding: f.encoding,
    region: f.region,
    fingerprint: f.fingerprint,
    preview: f.preview,
  };
  if (f.address !== undefined) out.address = f.address;
  if (f.note !== undefined) out.note = f.note;
  return out;
}

function fileOut(r: FileResult) {
  const out: Record<string, unknown> = {
    file: r.file,
    size: r.size,
    ...(r.compression ? { compression: r.compression, decompressedSize: r.decompressedSize } : {}),
    format: r.format,
    verdict: r.verdict,
    durationMs: r.durationMs,
  };
  if (r.output !== undefined) out.output = r.output;
  if (r.sha256 !== undefined) out.sha256 = r.sha256;
  if (r.outputSha256 !== undefined) out.outputSha256 = r.outputSha256;
  if (r.outputCompression !== undefined) out.outputCompression = r.outputCompression;
  if (r.error !== undefined) out.error = r.error;
  out.warnings = [...r.warnings];
  out.findings = r.findings.map(findingOut);
  if (r.survivors !== undefined) out.survivors = r.survivors.map(findingOut);
  return out;
}

export interface Summary {
  files: number;
  findings: number;
  survivors: number;
  byVerdict: Partial<Record<Verdict, number>>;
  byRule: Record<string, number>;
}

function summarize(report: Report): Summary {
  const s: Summary = { files: report.files.length, findings: 0, survivors: 0, byVerdict: {}, byRule: {} };
  for (const f of report.files) {
    s.byVerdict[f.verdict] = (s.byVerdict[f.verdict] ?? 0) + 1;
    s.findings += f.findings.length;
    s.survivors += f.survivors?.length ?? 0;
    for (const x of f.findings) s.byRule[x.ruleId] = (s.byRule[x.ruleId] ?? 0) + 1;
  }
  return s;
}

function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// ---------------------------------------------------------------- text

const VERDICT_TEXT: Record<Verdict, string> = {
  clean: 'clean',
  'secrets-found': 'secrets found',
  'redacted-verified': 'redacted copy verified clean',
  'survived-verification': 'a secret SURVIVED verification; nothing published',
  'io-error': 'I/O or integrity failure; nothing published',
  'usage-error': 'usage error',
};

function verdictStyle(c: ChalkInstance, v: Verdict): (s: string) => string {
  switch (v) {
    case 'clean':
    case 'redacted-verified':
      return c.green;
    case 'secrets-found':
    case 'survived-verification':
      return c.red.bold;
    default:
      return c.yellow.bold;
  }
}

function verdictMark(v: Verdict): string {
  return v === 'clean' || v === 'redacted-verified' ? '✓' : '✗';
}

/** Text reports fit this many columns (a narrow terminal, a CI log pane, a code review). */
const TEXT_WIDTH = 100;

/** `s` cut in the middle with an ellipsis to at most `max` characters. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/** A piece of a report line: its plain text, its colour, and what may give way when the line is too long. */
interface Part {
  text: string;
  style: (s: string) => string;
  /** Left out when the line does not fit (redundant pieces: the decimal offset, the length). */
  optional?: boolean;
}

/**
 * Parts joined by two spaces within `width` columns: optional parts go first (in order), then the
 * longest part is cut in the middle; colour is applied last, so widths are of the visible text.
 */
function fitParts(parts: Part[], indent: string, width = TEXT_WIDTH): string {
  const len = () => indent.length + parts.reduce((n, p) => n + p.text.length, 0) + 2 * (parts.length - 1);
  for (let i = 0; i < parts.length && len() > width;) {
    if (parts[i].optional) parts.splice(i, 1);
    else i++;
  }
  while (len() > width) {
    const i = parts.reduce((best, p, j) => (p.text.length > parts[best].text.length ? j : best), 0);
    if (parts[i].text.length <= 8) break;
    parts[i] = { ...parts[i], text: clip(parts[i].text, Math.max(8, parts[i].text.length - (len() - width))) };
  }
  return indent + parts.map((p) => p.style(p.text)).join('  ');
}

/** Words of `text` in lines of `width` columns; continuation lines indented by `hang` spaces. */
function wrap(first: string, text: string, hang: number, width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const w = clip(word, width - hang);
    if (line.length + 1 + w.length > width && line.trim().length > first.trim().length) {
      lines.push(line);
      line = `${' '.repeat(hang)}${w}`;
    } else line = line === first ? `${line}${w}` : `${line} ${w}`;
  }
  lines.push(line);
  return lines;
}

/** A finding in two lines: where, what and which (offset, span, rule, fingerprint), then in which region. */
function findingLines(c: ChalkInstance, f: Finding): string[] {
  const plain = (s: string) => s;
  const first = fitParts(
    [
      { text: hexOffset(f.start), style: c.cyan },
      { text: `(${f.start})`, style: c.dim, optional: true },
      { text: `[${f.start}, ${f.end})`, style: plain },
      { text: `${f.end - f.start} B`, style: c.dim, optional: true },
      { text: safeText(f.ruleId), style: c.bold },
      { text: f.encoding, style: plain },
      { text: `fp ${f.fingerprint}`, style: c.yellow },
      { text: safeText(f.preview), style: plain },
    ],
    '  ',
  );
  const where: Part[] = [{ text: `in ${safeText(f.region)}`, style: c.magenta }];
  if (f.address !== undefined) where.push({ text: `@${safeText(f.address)}`, style: c.dim });
  if (f.note) where.push({ text: `— ${safeText(f.note)}`, style: c.dim });
  return [first, fitParts(where, '      ')];
}

function fileSummaryLine(c: ChalkInstance, r: FileResult): string {
  const style = verdictStyle(c, r.verdict);
  const bits = [`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`];
  if (r.survivors && r.survivors.length > 0) bits.push(`${r.survivors.length} survivor${r.survivors.length === 1 ? '' : 's'}`);
  if (r.compression === 'gzip') bits.push(`${formatBytes(r.size)} compressed`, `${formatBytes(r.decompressedSize ?? 0)} decompressed`);
  else bits.push(formatBytes(r.size));
  bits.push(r.format, `${Math.round(r.durationMs)} ms`);
  return `  ${style(`${verdictMark(r.verdict)} ${VERDICT_TEXT[r.verdict]}`)} ${c.dim(`(${bits.join(', ')})`)}`;
}

function renderFileText(c: ChalkInstance, r: FileResult, verbose: boolean): string[] {
  const lines: string[] = [c.bold.underline(clip(safeText(r.file), TEXT_WIDTH))];
  for (const f of r.findings) lines.push(...findingLines(c, f));
  if (r.survivors && r.survivors.length > 0) {
    lines.push(c.red.bold('  survived verification in the written copy:'));
    for (const f of r.survivors) lines.push(...findingLines(c, f));
  }
  const labelled = (label: string, style: (s: string) => string, text: string) => {
    const [head, ...rest] = wrap(`  ${label} `, safeText(text), 4);
    return [head.replace(label, style(label)), ...rest];
  };
  if (r.error) lines.push(...labelled('error:', c.yellow.bold, r.error));
  if (verbose) {
    for (const w of r.warnings) lines.push(...labelled('warning:', c.yellow, w));
    if (r.output) lines.push(c.dim(`  output: ${clip(safeText(r.output), TEXT_WIDTH - 10)}`));
    if (r.sha256) lines.push(c.dim(`  sha256: ${r.sha256}`));
    if (r.outputSha256) lines.push(c.dim(`  output sha256: ${r.outputSha256}`));
  } else if (r.warnings.length > 0) {
    lines.push(c.dim(`  ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'} (--verbose to list)`));
  }
  lines.push(fileSummaryLine(c, r));
  return lines;
}

/** Human report grouped by file; colour only when the caller says so. */
export function renderText(report: Report, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const blocks = report.files.map((r) => renderFileText(c, r, opts.verbose ?? false).join('\n'));
  const s = summarize(report);
  const total = `${s.files} file${s.files === 1 ? '' : 's'}, ${s.findings} finding${s.findings === 1 ? '' : 's'}${
    s.survivors > 0 ? `, ${s.survivors} survivor${s.survivors === 1 ? '' : 's'}` : ''
  } — exit ${report.exitCode}`;
  const style = report.exitCode === 0 ? c.green.bold : report.exitCode === 1 ? c.red.bold : c.yellow.bold;
  blocks.push(style(total));
  return `${blocks.join('\n\n')}\n`;
}

// ---------------------------------------------------------------- JSON / JSONL

/** The whole report as one JSON document (schema: docs/report-schema.md). */
export function renderJson(report: Report): string {
  const doc = {
    schema: REPORT_SCHEMA,
    tool: { name: report.tool.name, version: report.tool.version },
    command: report.command,
    exitCode: report.exitCode,
    summary: summarize(report),
    files: report.files.map(fileOut),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One line per finding (scan findings, then verification survivors), then one `file` line. */
export function renderJsonl(r: FileResult): string {
  const lines: string[] = [];
  for (const f of r.findings) lines.push(JSON.stringify({ type: 'finding', file: r.file, phase: 'scan', ...findingOut(f) }));
  for (const f of r.survivors ?? []) lines.push(JSON.stringify({ type: 'finding', file: r.file, phase: 'verify', ...findingOut(f) }));
  const { findings: _f, survivors: _s, ...meta } = fileOut(r);
  lines.push(JSON.stringify({ type: 'file', ...meta, findings: r.findings.length, survivors: r.survivors?.length ?? 0 }));
  return `${lines.join('\n')}\n`;
}

/** Closing JSONL line with the totals and exit code, written after the last file. */
export function renderJsonlEnd(report: Report): string {
  return `${JSON.stringify({ type: 'summary', command: report.command, exitCode: report.exitCode, ...summarize(report) })}\n`;
}

// ---------------------------------------------------------------- SARIF 2.1.0

/** A path as a SARIF uri-reference: file:// URL when absolute, percent-encoded relative reference otherwise. */
export function toUri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path
    .split(sep === '\\' ? /[\\/]/ : '/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function sarifMessage(f: Finding, ruleName: string, phase: 'scan' | 'verify'): string {
  const where = `bytes [${f.start}, ${f.end}) (${hexOffset(f.start)}, ${f.end - f.start} bytes) in ${f.region}`;
  const lead = phase === 'verify' ? `${ruleName} survived verification in the written copy` : `${ruleName} found`;
  return `${lead}: ${where}, ${f.encoding}, fingerprint ${f.fingerprint}.${f.note ? ` ${f.note}` : ''}`;
}

/** SARIF 2.1.0 log with one run; results carry byteOffset/byteLength and the fingerprint, never the secret. */
export function renderSarif(report: Report, rules: readonly RuleDescriptor[]): string {
  // tool.driver.rules must hold unique descriptors, so the first one of each id wins.
  const ruleList: RuleDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const r of rules) {
    if (ruleIndex.has(r.id)) continue;
    ruleIndex.set(r.id, ruleList.length);
    ruleList.push({ id: r.id, name: r.name, description: r.description });
  }
  const indexOf = (id: string): number => {
    let i = ruleIndex.get(id);
    if (i === undefined) {
      i = ruleList.length;
      ruleList.push({ id, name: id, description: `Detector ${id}` });
      ruleIndex.set(id, i);
    }
    return i;
  };

  const artifacts: Record<string, unknown>[] = [];
  const artifactIndex = new Map<string, number>();
  const results: Record<string, unknown>[] = [];
  const notifications: Record<string, unknown>[] = [];
  const seenNotes = new Set<string>();
  const notify = (level: 'error' | 'warning', text: string, location: unknown) => {
    const key = JSON.stringify([level, text, location]);
    if (seenNotes.has(key)) return;
    seenNotes.add(key);
    notifications.push({ level, message: { text }, locations: [location] });
  };

  for (const r of report.files) {
    const uri = toUri(r.file);
    let aIdx = artifactIndex.get(uri);
    if (aIdx === undefined) {
      aIdx = artifacts.length;
      artifactIndex.set(uri, aIdx);
      const artifact: Record<string, unknown> = { location: { uri }, length: r.size, roles: ['analysisTarget'] };
      if (r.sha256) artifact.hashes = { 'sha-256': r.sha256 };
      artifacts.push(artifact);
    }
    const location = { physicalLocation: { artifactLocation: { uri, index: aIdx } } };
    const emit = (f: Finding, phase: 'scan' | 'verify') => {
      const idx = indexOf(f.ruleId);
      const result: Record<string, unknown> = {
        ruleId: f.ruleId,
        ruleIndex: idx,
        kind: 'fail',
        level: 'error',
        message: { text: sarifMessage(f, ruleList[idx].name, phase) },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, index: aIdx },
              region: { byteOffset: f.start, byteLength: f.end - f.start },
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
        properties: { encoding: f.encoding, region: f.region, phase, verdict: r.verdict },
      };
      results.push(result);
    };
    for (const f of r.findings) emit(f, 'scan');
    for (const f of r.survivors ?? []) emit(f, 'verify');
    if (r.error) notify('error', `${r.verdict}: ${r.error}`, location);
    for (const w of r.warnings) notify('warning', w, location);
  }

  const invocation: Record<string, unknown> = {
    executionSuccessful: report.exitCode === 0 || report.exitCode === 1,
    exitCode: report.exitCode,
  };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: ruleList.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.name },
              fullDescription: { text: r.description },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        invocations: [invocation],
        artifacts,
        results,
        properties: { command: report.command },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

// ---------------------------------------------------------------- CI summary

/** Compact counts per verdict and per rule, for CI logs. Plain text, no colour. */
export function renderSummary(report: Report): string {
  const s = summarize(report);
  const lines = [
    `dumpscrub ${report.command}: ${s.files} file${s.files === 1 ? '' : 's'}, ${s.findings} finding${s.findings === 1 ? '' : 's'}, ${s.survivors} survivor${s.survivors === 1 ? '' : 's'}, exit ${report.exitCode}`,
  ];
  const verdicts = sortedCounts(s.byVerdict as Record<string, number>);
  lines.push(`  verdicts: ${verdicts.length ? verdicts.map(([k, n]) => `${k}=${n}`).join(' ') : '(none)'}`);
  const rules = sortedCounts(s.byRule);
  lines.push(`  rules:    ${rules.length ? rules.map(([k, n]) => `${safeText(k)}=${n}`).join(' ') : '(none)'}`);
  return `${lines.join('\n')}\n`;
}
