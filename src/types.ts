// Shared vocabulary of the pipeline. Every byte span is half-open: [start, end).

/** A half-open byte range [start, end). Offsets are file offsets unless a comment says otherwise. */
export interface Span {
  start: number;
  end: number;
}

/** How hard the entropy detector looks: not at all, near a credential keyword, or at every token; weakest first. */
export const ENTROPY_LEVELS = ['off', 'context', 'all'] as const;
export type EntropyLevel = (typeof ENTROPY_LEVELS)[number];

/** Entropy level used when nothing else is said (test/entropy.test.ts measures its false positives); the verify pass never goes below it. */
export const DEFAULT_ENTROPY: EntropyLevel = 'all';

/** How the matched bytes encode the secret; decides the redaction fill. */
export type Encoding = 'ascii' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be' | 'binary';

/** What a part of a dump is, as far as its format tells. */
export type RegionKind = 'memory' | 'stack' | 'heap' | 'image' | 'mapped-file' | 'registers' | 'note' | 'stream' | 'string' | 'structure' | 'raw';

export interface Region extends Span {
  kind: RegionKind;
  /** Human label: "stack of thread 3", "image of libssl.so.3", "[heap]", "MemoryList range 2". */
  label: string;
  /** Virtual address of `start` when the region is process memory. */
  address?: bigint;
}

/** What a format parser learnt about a file. Formats are hints, never gates. */
export interface FormatInfo {
  format: 'minidump' | 'elf-core' | 'hprof' | 'raw';
  /** Labelled parts of the file (may overlap; bytes outside every region are still scanned). */
  regions: Region[];
  /** Bytes that must stay byte-identical (headers, directories, descriptors, note headers). */
  structural: Span[];
  /** Extra text views the format calls for, e.g. UTF-16BE for Java heap dumps. */
  extraViews: Encoding[];
  /** Things the parser could not explain; the pipeline prints them and scans those bytes raw. */
  warnings: string[];
}

/** Synchronous random-access reader over a file (files.ts provides it; formats stay I/O-free). */
export type ReadAt = (offset: number, length: number) => Buffer;

/** A public key to hunt the private half of (from --known-key or found in the dump itself). */
export interface KnownKey {
  /** "kid abc", "SHA-256 thumbprint 1a2b…", "subject CN=api.example.com". Never secret. */
  label: string;
  kind: 'rsa' | 'ec' | 'okp';
  /** RSA modulus and public exponent. */
  n?: bigint;
  e?: bigint;
  /** EC / OKP curve name ("P-256", "P-384", "P-521", "Ed25519", "X25519") and raw public point/key. */
  curve?: string;
  publicKey?: Buffer;
}

/** A detector's match, relative to the buffer it was given. */
export interface Hit extends Span {
  /** Rule or detector id, e.g. "pem-private-key", "der-pkcs8", "aes-schedule". */
  ruleId: string;
  encoding: Encoding;
  /**
   * Canonical secret bytes (decoded text for UTF-16, the key bytes for binary), used ONLY to
   * compute a fingerprint and allowlist checks; the pipeline drops it before anything is reported.
   */
  secret: Buffer;
  /** Optional note that is safe to print ("RSA-2048 private key for kid abc"). Never the secret. */
  note?: string;
}

/**
 * What a detector learnt from the bytes, beyond its hits: public keys whose private half to hunt
 * elsewhere (self-hunt), and private values already known, to find in every other encoding and
 * chunk. Labels are safe to print; every other field may be secret and never reaches a report.
 */
export type LearnedValue =
  | { kind: 'public-rsa'; label: string; n: bigint; e: bigint }
  | { kind: 'public-ec'; label: string; curve: string; publicKey: Buffer }
  | { kind: 'rsa-factor'; label: string; n: bigint; e: bigint; p: bigint }
  | { kind: 'ec-scalar'; label: string; curve: string; scalar: Buffer; publicKey?: Buffer }
  | { kind: 'aes-key'; label: string; key: Buffer }
  /**
   * A secret value a detector found (Hit.secret: text value, decoded value, key bytes), hunted in
   * every encoding across the input. `text` when it was found as text; `context`: the keyword or
   * assignment prefix it was found with (ASCII), for values too short to hunt bare.
   */
  | { kind: 'secret-value'; label: string; ruleId: string; value: Buffer; text: boolean; context?: Buffer };

/** A detector's output for one buffer: its hits and what it learnt. */
export interface Detection {
  hits: Hit[];
  learned?: LearnedValue[];
}

/** Passed to every detector call. */
export interface DetectContext {
  /** Public keys whose private half to hunt (from --known-key). */
  knownKeys: KnownKey[];
  /** Values learnt by an earlier pass (self-hunt), to hunt in every chunk. */
  learned: LearnedValue[];
  /** Literal secrets (from --known-secret) to find in every encoding. */
  knownSecrets: Buffer[];
  /** Extra text views to run (from the format), beyond ascii and utf16le. */
  extraViews: Encoding[];
  /** Entropy level for the rules engine. */
  entropy: EntropyLevel;
}

/** A pure function of bytes: what it found and what it learnt come back in its result. */
export interface Detector {
  id: string;
  name: string;
  description: string;
  /** Text detectors may be skipped on pages that cannot hold text; binary ones never are. */
  kind: 'text' | 'binary';
  /** Longest span a hit can have; sizes the overlap between chunks. */
  maxSpan: number;
  detect(bytes: Buffer, ctx: DetectContext): Detection;
}

/** A hit mapped to file offsets and stripped of its secret. This is what reports see. */
export interface Finding extends Span {
  ruleId: string;
  encoding: Encoding;
  /** First 12 hex chars of SHA-256 of the canonical secret bytes. */
  fingerprint: string;
  /** Masked preview, e.g. "ghp_****(40 chars)": at most the public tag that opens the token (findings.ts). */
  preview: string;
  /** Label of the innermost region holding the finding, "raw" if none. */
  region: string;
  address?: string;
  note?: string;
}

export type Verdict = 'clean' | 'secrets-found' | 'redacted-verified' | 'survived-verification' | 'io-error' | 'usage-error';

export interface FileResult {
  file: string;
  output?: string;
  /** Bytes of the input as stored: compressed when `compression` is 'gzip'. */
  size: number;
  /** 'gzip' when the input is gzip; findings' offsets then refer to the decompressed stream. */
  compression?: 'gzip';
  /** Bytes of the decompressed stream of a gzip input. */
  decompressedSize?: number;
  /** scrub: whether the written copy is gzip (its name ends in .gz; stdout and --in-place follow the input). */
  outputCompression?: 'gzip' | 'none';
  format: FormatInfo['format'];
  findings: Finding[];
  /** Findings the verification pass made in the written copy (scrub) — should be empty. */
  survivors?: Finding[];
  verdict: Verdict;
  warnings: string[];
  error?: string;
  sha256?: string;
  outputSha256?: string;
  durationMs: number;
}

export interface Report {
  tool: { name: 'dumpscrub'; version: string };
  command: 'scan' | 'scrub' | 'verify';
  files: FileResult[];
  exitCode: 0 | 1 | 2 | 3;
}

/** Exit codes: the contract scripts rely on (README, `--help`, docs/architecture.md). */
export const EXIT = { CLEAN: 0, SECRETS: 1, USAGE: 2, IO: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
