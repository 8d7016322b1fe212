// Runs one command and measures wall time and peak RSS; its output is counted, never printed
// (peers print the secrets they find).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const TIME = '/usr/bin/time';
const hasGnuTime = (() => {
  try {
    return spawnSync(TIME, ['-f', '%M %U %S', 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
})();

const running = new Set();

/** The command runs in its own process group (under GNU time): kill the whole group. */
function killTree(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // stop the measured command too, so an interrupted bench leaves nothing behind
    for (const c of running) killTree(c);
    process.exit(130);
  });
}

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Peak RSS of a process tree root from /proc (fallback when GNU time is missing). */
function pollHwm(pid, state) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) state.kb = Math.max(state.kb, Number(m[1]));
  } catch {
    // process already gone
  }
}

/** Clock ticks a second in /proc/<pid>/task/<tid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** The measured process: GNU time's child when it runs under GNU time. */
function measuredPid(child) {
  if (!hasGnuTime) return child.pid;
  try {
    return Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Latest CPU ticks (user + sys) of every thread of `pid` into `seen` (tid → ticks); threads that ended keep their last value. */
function pollThreads(pid, seen) {
  let tids;
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // not started yet, or gone
  }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      seen.set(Number(tid), Number(f[11]) + Number(f[12]));
    } catch {
      // thread ended between the listing and the read
    }
  }
}

/**
 * Run `cmd args`; resolves { code, seconds, cpuSeconds (user + sys, with GNU time), peakRssMiB, stdoutLines, stdout (first 4 MiB, kept
 * in memory for parsing only), stderrTail, and with `threads` threadCpu: { main, others (descending) } in CPU seconds, sampled
 * every 50 ms from /proc (the last 50 ms of each thread can be missed) }.
 */
export function measure(cmd, args, { timeoutS = 1800, keepStdout = false, env, threads = false } = {}) {
  const rssFile = path.join(os.tmpdir(), `dumpscrub-bench-rss-${process.pid}-${Date.now()}`);
  const argv = hasGnuTime ? [TIME, '-f', '%M %U %S', '-o', rssFile, cmd, ...args] : [cmd, ...args];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: true });
    running.add(child);
    const hwm = { kb: 0 };
    const poll = hasGnuTime ? undefined : setInterval(() => pollHwm(child.pid, hwm), 50);
    const ticks = new Map();
    let pid;
    const threadPoll = threads
      ? setInterval(() => {
          pid ??= measuredPid(child);
          if (pid) pollThreads(pid, ticks);
        }, 50)
      : undefined;
    let lines = 0;
    const kept = [];
    let keptBytes = 0;
    let errTail = '';
    child.stdout.on('data', (d) => {
      for (const b of d) if (b === 10) lines++;
      if (keepStdout && keptBytes < 4 * 1024 * 1024) {
        kept.push(d);
        keptBytes += d.length;
      }
    });
    child.stderr.on('data', (d) => {
      errTail = (errTail + d.toString('utf8')).slice(-2000);
    });
    const timer = setTimeout(() => killTree(child), timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (poll) clearInterval(poll);
      if (threadPoll) clearInterval(threadPoll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let kb = hwm.kb;
      let cpu;
      if (hasGnuTime) {
        try {
          const t = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
          const [m, u, sys] = t[t.length - 1].split(' ').map(Number);
          kb = m || 0;
          cpu = (u || 0) + (sys || 0);
          fs.rmSync(rssFile, { force: true });
        } catch {
          kb = 0;
        }
      }
      resolve({
        code: signal ? null : code,
        signal: signal ?? undefined,
        seconds,
        cpuSeconds: cpu,
        peakRssMiB: Math.round((kb / 1024) * 10) / 10,
        stdoutLines: lines,
        stdout: keepStdout ? Buffer.concat(kept).toString('utf8') : undefined,
        stderrTail: errTail,
        threadCpu: threads && pid ? threadSplit(pid, ticks) : undefined,
      });
    });
  });
}

/** CPU seconds of the main thread (tid = pid) and of every other thread, largest first. */
function threadSplit(pid, ticks) {
  const others = [...ticks].filter(([tid]) => tid !== pid).map(([, t]) => t / TICKS);
  return { main: (ticks.get(pid) ?? 0) / TICKS, others: others.sort((a, b) => b - a) };
}

/** The first `mib` MiB of `file` as 16 MiB buffers (what the pipeline scans a chunk at a time). */
export function readChunks(file, mib) {
  const CHUNK = 16 * 1024 * 1024;
  const size = Math.min(fs.statSync(file).size, mib * 1024 * 1024);
  const fd = fs.openSync(file, 'r');
  const chunks = [];
  for (let off = 0; off < size; off += CHUNK) {
    const b = Buffer.allocUnsafe(Math.min(CHUNK, size - off));
    fs.readSync(fd, b, 0, b.length, off);
    chunks.push(b);
  }
  fs.closeSync(fd);
  return { chunks, size };
}
