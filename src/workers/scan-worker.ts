// Worker entry: builds detectors from each scan's recipe, then scans the chunks the pool sends it.
import { parentPort } from 'node:worker_threads';
import { DetectorError, ownedResult, scanChunk } from '../scan/chunk.js';
import { builtinDetectors } from '../detectors/index.js';
import type { DetectorOptions } from '../detectors/index.js';
import type { Detector } from '../types.js';
import type { ChunkJob, ToWorker, WorkerReply, WorkerSetup } from './protocol.js';
import { compact, revive } from './protocol.js';

type Factory = (o: DetectorOptions) => Detector[];

interface Ready {
  detectors: Detector[];
  ctx: WorkerSetup['ctx'];
}

async function build(setup: WorkerSetup): Promise<Ready> {
  const options = revive(setup.recipe.options);
  let make: Factory = builtinDetectors;
  if (setup.recipe.module) make = ((await import(setup.recipe.module)) as { createDetectors: Factory }).createDetectors;
  const all = make(options);
  const only = setup.recipe.only;
  return { detectors: only ? all.filter((d) => only.includes(d.id)) : all, ctx: revive(setup.ctx) };
}

function safeMessage(err: unknown): string {
  // a DetectorError message is built to be safe; anything else keeps only its class
  return err instanceof DetectorError ? err.message : `scan worker failed (${(err as Error)?.name ?? 'error'})`;
}

function scanJob(ready: Ready, job: ChunkJob): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  const bytes = Buffer.from(job.buf, 0, job.len);
  // the chunk buffer goes back to the engine: what leaves keeps compact copies of its own
  const { hits, learned } = ownedResult(scanChunk(bytes, ready.detectors, ready.ctx), job.base, job.owned, compact);
  return { reply: { type: 'done', id: job.id, hits, learned, buf: job.buf }, transfer: [job.buf] };
}

const port = parentPort;
if (!port) throw new Error('scan-worker must run in a worker thread');
const setups = new Map<number, Promise<Ready>>();

port.on('message', (m: ToWorker) => {
  if (m.type === 'configure') {
    const ready = build(m);
    ready.catch(() => {}); // reported with the first chunk that needs it
    setups.set(m.setup, ready);
    return;
  }
  if (m.type === 'release') {
    setups.delete(m.setup);
    return;
  }
  const ready = setups.get(m.setup);
  if (!ready) {
    port.postMessage({ type: 'error', id: m.id, message: 'scan worker got a chunk without its setup' } satisfies WorkerReply);
    return;
  }
  ready.then(
    (r) => {
      let out: { reply: WorkerReply; transfer: ArrayBuffer[] };
      try {
        out = scanJob(r, m);
      } catch (err) {
        port.postMessage({ type: 'error', id: m.id, message: safeMessage(err) } satisfies WorkerReply);
        return;
      }
      port.postMessage(out.reply, out.transfer);
    },
    // error names only: a message could quote a configured secret
    (err: unknown) => port.postMessage({ type: 'error', id: m.id, message: `worker could not build its detectors (${(err as Error)?.name ?? 'error'})` } satisfies WorkerReply),
  );
});
