// Whole files as streams: gzip in and out, plain copies, SHA-256, the verified copy to stdout.
import { createReadStream, createWriteStream, promises as fsp, constants as C } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { IoError, ioMessage } from '../errors.js';
import type { TempOutput } from './publish.js';

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(p: string): Promise<boolean> {
  const h = await fsp.open(p, C.O_RDONLY | C.O_NONBLOCK).catch(() => undefined);
  if (!h) return false;
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await h.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } catch {
    return false; // not seekable (FIFO) or unreadable: openInput reports why
  } finally {
    await h.close();
  }
}

/** Decompress a gzip file (all members) into a new private file. */
export async function gunzipFile(src: string, dest: string): Promise<void> {
  try {
    await pipeline(createReadStream(src), createGunzip(), createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot decompress ${src}`));
  }
}

/** Compress `src` into an open temp output (committed by the caller). */
export async function gzipInto(src: string, out: TempOutput): Promise<void> {
  const gz = createReadStream(src).pipe(createGzip({ level: 6 }));
  for await (const chunk of gz) await out.write(chunk as Buffer);
}

/** Whether an output name asks for gzip: the name decides, as gzip users expect. */
export function namesGzip(p: string): boolean {
  return /\.gz$/i.test(p);
}

export async function copyInto(src: string, out: TempOutput): Promise<void> {
  for await (const chunk of createReadStream(src)) await out.write(chunk as Buffer);
}

export async function hashFile(p: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot read ${p}`));
  }
  return hash.digest('hex');
}

/** Stream a (verified) file to stdout. */
export async function streamToStdout(p: string): Promise<void> {
  await pipeline(createReadStream(p), process.stdout, { end: false });
}
