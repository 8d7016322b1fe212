// --audit-log: one JSON line per file, for the trail after an incident. Hashes and counts only, never a secret.
import { EXIT } from './types.js';
import type { ExitCode, FileResult, Finding, Report } from './types.js';
import { VERSION } from './version.js';
import { appendLogLine } from './io/logs.js';

export interface AuditLine {
  /** ISO 8601 time the file's result was known. */
  time: string;
  tool: string;
  command: Report['command'];
  /** Input path as the user named it ('-' for stdin). */
  file: string;
  size: number;
  /** SHA-256 of the input bytes the run read; null when it could not read them. */
  sha256: string | null;
  output: string | null;
  outputSha256: string | null;
  verdict: FileResult['verdict'];
  exitCode: ExitCode;
  findings: number;
  /** Findings per rule id. */
  rules: Record<string, number>;
  survivors: number;
  survivorRules: Record<string, number>;
  durationMs: number;
  /** The one-line failure reason (paths and error codes only). */
  error?: string;
}

function perRule(list: readonly Finding[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of list ?? []) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

function exitOf(r: FileResult): ExitCode {
  if (r.verdict === 'io-error') return EXIT.IO;
  if (r.verdict === 'usage-error') return EXIT.USAGE;
  if (r.verdict === 'secrets-found' || r.verdict === 'survived-verification') return EXIT.SECRETS;
  return EXIT.CLEAN;
}

/** The audit line for one result; only fields that are safe by construction (no previews, no notes). */
export function auditLine(command: Report['command'], r: FileResult, now: Date = new Date(), inputSha256?: string): AuditLine {
  const line: AuditLine = {
    time: now.toISOString(),
    tool: `dumpscrub ${VERSION}`,
    command,
    file: r.file,
    size: r.size,
    sha256: r.sha256 ?? inputSha256 ?? null,
    output: r.verdict === 'redacted-verified' ? (r.output ?? null) : null,
    outputSha256: r.verdict === 'redacted-verified' ? (r.outputSha256 ?? null) : null,
    verdict: r.verdict,
    exitCode: exitOf(r),
    findings: r.findings.length,
    rules: perRule(r.findings),
    survivors: r.survivors?.length ?? 0,
    survivorRules: perRule(r.survivors),
    durationMs: r.durationMs,
  };
  if (r.error) line.error = r.error.replace(/[\r\n]+/g, ' ').slice(0, 300);
  return line;
}

/** Append one line (created 0600; O_APPEND keeps concurrent runs' lines whole; a symlink or FIFO is refused). */
export async function appendAudit(logFile: string, line: AuditLine): Promise<void> {
  await appendLogLine(logFile, JSON.stringify(line));
}

/**
 * The CLI's audit trail: lines are appended in order as each file finishes, so a run killed midway
 * still leaves the lines of the files it finished. A failed append is loud and turns the run into exit 3.
 */
export class AuditWriter {
  private chain: Promise<void> = Promise.resolve();
  private ok = true;
  constructor(
    private readonly logFile: string,
    private readonly command: Report['command'],
    private readonly complain: (line: string) => void = (l) => process.stderr.write(l),
  ) {}

  record(result: FileResult): void {
    const line = auditLine(this.command, result);
    this.chain = this.chain.then(async () => {
      try {
        await appendAudit(this.logFile, line);
      } catch (err) {
        this.ok = false;
        this.complain(`dumpscrub: FAILED ${this.logFile}: audit log: ${err instanceof Error ? err.message : 'write failed'}\n`);
      }
    });
  }

  /** Waits for every queued line; false when any could not be written. */
  async close(): Promise<boolean> {
    await this.chain;
    return this.ok;
  }
}
