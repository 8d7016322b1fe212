// Stock dumps hold no secret: every shared minidump fixture scans clean, and so does linux-mini.dmp
// whose LinuxEnviron stream holds a stock desktop session's environment (XDG_SESSION_PATH and the
// other *_SESSION_* names are no session cookies).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scan } from '../src/index.js';
import { detectFormat } from '../src/formats/index.js';
import { FIXTURES, reader } from './helpers/formats.js';

const STOCK_ENV = [
  'SHELL=/bin/bash',
  'SESSION_MANAGER=local/desktop:@/tmp/.ICE-unix/1890,unix/desktop:/tmp/.ICE-unix/1890',
  'XDG_SESSION_PATH=/org/freedesktop/DisplayManager/Session0',
  'XDG_SEAT_PATH=/org/freedesktop/DisplayManager/Seat0',
  'XDG_SESSION_ID=c2',
  'XDG_SESSION_CLASS=user',
  'XDG_SESSION_TYPE=x11',
  'XDG_SESSION_DESKTOP=ubuntu',
  'DESKTOP_SESSION=ubuntu',
  'GDMSESSION=ubuntu',
  'DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus',
  'XDG_RUNTIME_DIR=/run/user/1000',
  'XDG_DATA_DIRS=/usr/share/ubuntu:/usr/local/share/:/usr/share/:/var/lib/snapd/desktop',
  'XDG_CONFIG_DIRS=/etc/xdg/xdg-ubuntu:/etc/xdg',
  'GTK_MODULES=gail:atk-bridge',
  'LANG=en_US.UTF-8',
  'HOME=/home/user',
  'TZ=Asia/Dushanbe',
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin',
].join('\0');

const dir = mkdtempSync(join(tmpdir(), 'dumpscrub-stock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stock dumps scan clean', () => {
  const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.dmp'));
  test.each(names)('%s: no findings', async (name) => {
    const r = await scan(join(FIXTURES, name));
    expect(r.findings.map((f) => f.ruleId)).toEqual([]);
  });

  test('linux-mini.dmp with a stock desktop environment: no findings', async () => {
    const buf = readFileSync(join(FIXTURES, 'linux-mini.dmp'));
    const env = detectFormat(reader(buf), buf.length).regions.find((r) => r.label === 'LinuxEnviron stream')!;
    expect(env.end - env.start).toBeGreaterThan(STOCK_ENV.length);
    buf.fill(0, env.start, env.end);
    buf.write(STOCK_ENV, env.start, 'latin1');
    const file = join(dir, 'linux-desktop.dmp');
    writeFileSync(file, buf);
    const r = await scan(file);
    expect(r.findings.map((f) => f.ruleId)).toEqual([]);
  });
});
