// --audit-log: one JSON line per file, for the trail after an incident. Hashes and counts only, never a secret.
import { exitOf } from './exit.js';
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

/** Findings per rule id (the audit trail's and the gate's `rules` field). */
export function countByRule(list: readonly Finding[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of list ?? []) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
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
    exitCode: exitOf(r.verdict),
    findings: r.findings.length,
    rules: countByRule(r.findings),
    survivors: r.survivors?.length ?? 0,
    survivorRules: countByRule(r.survivors),
    durationMs: r.durationMs,
  };
  if (r.error) line.error = r.error.replace(/[\r\n]+/g, ' ').slice(0, 300);
  return line;
}

/**
 * An audit trail (`--audit-log`, the gate's too): one JSON line per record, appended in order as each
 * file finishes, so a run killed midway keeps the lines of the files it finished. Created 0600; O_APPEND
 * keeps concurrent runs' lines whole; a symlink or FIFO at the path is refused. A failed append is
 * told (one FAILED line) and makes the run an I/O failure.
 */
export class AuditWriter {
  private chain: Promise<void> = Promise.resolve();
  private ok = true;
  constructor(
    private readonly logFile: string,
    /** Receives the FAILED line, without a newline. */
    private readonly complain: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  /** Queues one record; resolves false when this line could not be written. */
  append(record: object): Promise<boolean> {
    const text = JSON.stringify(record);
    const done = this.chain.then(async () => {
      try {
        await appendLogLine(this.logFile, text);
        return true;
      } catch (err) {
        this.ok = false;
        this.complain(`dumpscrub: FAILED ${this.logFile}: audit log: ${err instanceof Error ? err.message : 'write failed'}`);
        return false;
      }
    });
    this.chain = done.then(() => undefined);
    return done;
  }

  /** The CLI's line for one file's result. */
  record(command: Report['command'], result: FileResult): void {
    void this.append(auditLine(command, result));
  }

  /** Waits for every queued line; false when any could not be written. */
  async close(): Promise<boolean> {
    await this.chain;
    return this.ok;
  }
}
