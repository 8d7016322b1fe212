// A fixed set of scan workers; any failure fails every outstanding chunk and stops all workers.
import { Worker } from 'node:worker_threads';
import type { ChunkJob, WorkerInit, WorkerReply } from './protocol.js';

export type ChunkResult = Extract<WorkerReply, { type: 'done' }>;

interface Slot {
  worker: Worker;
  load: number;
}

interface Waiter {
  slot: Slot;
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private failure?: Error;
  private closing = false;

  /** `makeError` turns a worker's safe message into the error the caller sees. */
  constructor(url: URL, init: WorkerInit, size: number, private readonly makeError: (message: string) => Error) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url, { workerData: init });
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

  /** Scan one chunk on the least busy worker; `job.buf` is transferred and comes back in the result. */
  scan(job: ChunkJob): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.slots[0];
    for (const s of this.slots) if (s.load < slot.load) slot = s;
    return new Promise<ChunkResult>((resolve, reject) => {
      this.waiting.set(job.id, { slot, resolve, reject });
      slot.load++;
      slot.worker.postMessage(job, [job.buf]);
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
    for (const w of this.waiting.values()) w.reject(this.failure ?? this.makeError('scan pool closed'));
    this.waiting.clear();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
