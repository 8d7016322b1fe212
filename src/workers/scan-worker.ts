// Worker entry: rebuilds the detectors from a recipe, then scans the chunks the pool sends it.
import { parentPort, workerData } from 'node:worker_threads';
import { DetectorError, scanChunk } from '../engine.js';
import { builtinDetectors } from '../detectors/index.js';
import type { DetectorOptions } from '../detectors/index.js';
import type { DetectContext, Detector, Hit } from '../types.js';
import type { ChunkJob, WorkerInit, WorkerReply } from './protocol.js';
import { compact, revive } from './protocol.js';

type Factory = (o: DetectorOptions) => Detector[];

async function detectorsOf(init: WorkerInit): Promise<Detector[]> {
  const options = revive(init.recipe.options);
  let make: Factory = builtinDetectors;
  if (init.recipe.module) make = ((await import(init.recipe.module)) as { createDetectors: Factory }).createDetectors;
  const all = make(options);
  const only = init.recipe.only;
  return only ? all.filter((d) => only.includes(d.id)) : all;
}

function safeMessage(err: unknown): string {
  // a DetectorError message is built to be safe; anything else keeps only its class
  return err instanceof DetectorError ? err.message : `scan worker failed (${(err as Error)?.name ?? 'error'})`;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('scan-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  const base = revive(init.ctx);
  let detectors: Detector[];
  try {
    detectors = await detectorsOf(init);
  } catch (err) {
    // error names only: a message could quote a configured secret
    port.postMessage({ type: 'error', id: -1, message: `worker could not build its detectors (${(err as Error)?.name ?? 'error'})` } satisfies WorkerReply);
    return;
  }
  port.on('message', (job: ChunkJob) => {
    try {
      const ctx: DetectContext = { ...base, publicKeys: [] };
      const bytes = Buffer.from(job.buf, 0, job.len);
      const hits: Hit[] = [];
      for (const h of scanChunk(bytes, detectors, ctx)) {
        if (h.start >= job.owned) continue; // the next chunk owns it
        hits.push({ ...h, start: h.start + job.base, end: h.end + job.base, secret: compact(h.secret) });
      }
      const publicKeys = ctx.publicKeys.map((k) => (k.publicKey ? { ...k, publicKey: compact(k.publicKey) } : k));
      port.postMessage({ type: 'done', id: job.id, hits, publicKeys, buf: job.buf } satisfies WorkerReply, [job.buf]);
    } catch (err) {
      port.postMessage({ type: 'error', id: job.id, message: safeMessage(err) } satisfies WorkerReply);
    }
  });
}

void main();
