// A fixed set of scan workers, kept between scans (passes of one file, files of a batch) so they
// start and warm up once; idle workers do not keep the process alive. Any failure fails every
// outstanding chunk, stops all workers and retires the pool.
import { Worker } from 'node:worker_threads';
import type { ChunkJob, ToWorker, WorkerReply, WorkerSetup } from './protocol.js';

type ChunkResult = Extract<WorkerReply, { type: 'done' }>;

interface Slot {
  worker: Worker;
  load: number;
}

interface Waiter {
  slot: Slot;
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

let shared: ScanPool | undefined;

/**
 * Flags for a worker: by default Node copies the thread's own and leaves out process-wide V8 flags
 * (node --max-semi-space-size=… is fine); only --input-type (node --input-type=module -e) must go,
 * and a list given by hand may hold no V8 flag, so then none is passed.
 */
function workerExecArgv(): string[] | undefined {
  return process.execArgv.some((a) => a.startsWith('--input-type')) ? [] : undefined;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private failure?: Error;
  private closing = false;
  private active = 0;
  private nextId = 0;
  private nextSetup = 0;

  /** A pool for `url` with at least `size` workers: the shared one when big enough, else a new one that replaces it. */
  static shared(url: URL, size: number, makeError: (message: string) => Error): ScanPool {
    if (shared && shared.usable && shared.url.href === url.href && shared.size >= size) return shared;
    const old = shared;
    if (old && old.active === 0) void old.close();
    shared = new ScanPool(url, size, makeError);
    return shared;
  }

  /** `makeError` turns a worker's safe message into the error the caller sees. */
  constructor(
    readonly url: URL,
    size: number,
    private readonly makeError: (message: string) => Error,
  ) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url, { execArgv: workerExecArgv() });
      worker.unref();
      const slot: Slot = { worker, load: 0 };
      worker.on('message', (m: WorkerReply) => this.onReply(slot, m));
      // error names only: the text of an uncaught error could quote bytes
      worker.on('error', (err) => this.fail(this.makeError(`scan worker crashed (${err?.name ?? 'error'})`)));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(this.makeError(`scan worker exited unexpectedly (code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  private get usable(): boolean {
    return !this.failure && !this.closing;
  }

  /**
   * Start a scan: send its detector recipe and context to every worker. Throws DataCloneError when
   * they cannot cross to a worker. Pair with `end`.
   */
  begin(setup: WorkerSetup): number {
    if (this.failure) throw this.failure;
    const id = this.nextSetup++;
    this.post({ type: 'configure', setup: id, ...setup });
    // busy workers keep the process alive until their chunks come back
    if (this.active++ === 0) for (const s of this.slots) s.worker.ref();
    return id;
  }

  end(setup: number): void {
    if (this.usable) this.post({ type: 'release', setup });
    if (--this.active > 0) return;
    if (shared !== this)
      void this.close(); // replaced by a pool of another size meanwhile
    else for (const s of this.slots) s.worker.unref();
  }

  private post(m: ToWorker): void {
    for (const s of this.slots) s.worker.postMessage(m);
  }

  /** Scan one chunk on the least busy worker; `buf` is transferred and comes back in the result. */
  scan(setup: number, job: Omit<ChunkJob, 'id' | 'setup'>): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.slots[0];
    for (const s of this.slots) if (s.load < slot.load) slot = s;
    const id = this.nextId++;
    return new Promise<ChunkResult>((resolve, reject) => {
      this.waiting.set(id, { slot, resolve, reject });
      slot.load++;
      slot.worker.postMessage({ type: 'scan', ...job, id, setup } satisfies ToWorker, [job.buf]);
    });
  }

  private onReply(slot: Slot, m: WorkerReply): void {
    if (m.type === 'error') return this.fail(this.makeError(m.message));
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    slot.load--;
    w.resolve(m);
  }

  private fail(err: Error): void {
    if (this.failure || this.closing) return;
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    void this.close();
  }

  /** Stop every worker; safe to call more than once. */
  async close(): Promise<void> {
    this.closing = true;
    if (shared === this) shared = undefined;
    for (const w of this.waiting.values()) w.reject(this.failure ?? this.makeError('scan pool closed'));
    this.waiting.clear();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** Stop the shared workers (tests, long-lived library users); the next pooled scan starts new ones. */
export async function closeScanPools(): Promise<void> {
  await shared?.close();
}
