// reserveOutput in-process: what each kind of path gets, and that nothing is left behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfilerError } from '../../src/errors.js';
import { withFileLock } from '../../src/util/file-lock.js';
import { reserveOutput } from '../../src/util/output.js';
import { needs } from '../support/host.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-output-'));

function failure(fn: () => unknown): ProfilerError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProfilerError);
    return error as ProfilerError;
  }
  throw new Error('expected a ProfilerError');
}

describe('reserveOutput', () => {
  it('creates the temp file at reservation and renames it over the target at write', () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'old');
    const out = reserveOutput(path);
    expect(out.kind).toBe('file');
    expect(readdirSync(dir).filter((n) => n.startsWith('.a.json.'))).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe('old');
    out.write('new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((n) => n.startsWith('.a.json.'))).toHaveLength(0);
    out.discard();
  });

  it('discard removes the temp file and leaves the target alone', () => {
    const path = join(dir, 'b.json');
    const out = reserveOutput(path);
    out.discard();
    out.discard();
    expect(readdirSync(dir).filter((n) => n.includes('b.json'))).toEqual([]);
  });

  it('follows a chain of symlinks, refuses a loop', () => {
    writeFileSync(join(dir, 'c.target'), '');
    symlinkSync('c.target', join(dir, 'c1'));
    symlinkSync('c1', join(dir, 'c2'));
    const out = reserveOutput(join(dir, 'c2'));
    expect(out.target).toBe(join(dir, 'c.target'));
    out.write('x');
    expect(readFileSync(join(dir, 'c.target'), 'utf8')).toBe('x');
    symlinkSync('loop2', join(dir, 'loop1'));
    symlinkSync('loop1', join(dir, 'loop2'));
    expect(failure(() => reserveOutput(join(dir, 'loop1'))).message).toMatch(/symbolic links/);
  });

  it('refuses a socket, a directory and a closed descriptor (exit 73)', async () => {
    const sock = join(dir, 'sock');
    const server = createServer();
    await new Promise<void>((done) => server.listen(sock, done));
    try {
      expect(statSync(sock).isSocket()).toBe(true);
      const e = failure(() => reserveOutput(sock));
      expect([e.exitCode, e.message]).toEqual([73, `cannot write ${sock}: it is a socket`]);
    } finally {
      server.close();
    }
    expect(failure(() => reserveOutput(dir)).message).toMatch(/is a directory/);
    expect(failure(() => reserveOutput('/dev/fd/987')).message).toMatch(/descriptor 987 is not open/);
  });

  it('refuses a block device', needs('root'), () => {
    // A device node needs no device behind it to be refused: mknod makes one (CAP_MKNOD).
    const block = join(dir, 'loop-node');
    execFileSync('mknod', [block, 'b', '7', '200']);
    expect(statSync(block).isBlockDevice()).toBe(true);
    expect(failure(() => reserveOutput(block)).message).toMatch(/block device/);
    expect(statSync(block).isBlockDevice()).toBe(true);
  });

  it('writes /dev/null through and reports the device', () => {
    const out = reserveOutput('/dev/null');
    expect(out.kind).toBe('device');
    out.write('x');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('withFileLock', () => {
  it('runs holders one at a time and removes the lock file', async () => {
    const path = join(dir, 'locked.json');
    let inside = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3].map(() =>
        withFileLock(path, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((done) => setTimeout(done, 20));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.lock'))).toEqual([]);
  });

  it('gives up after the timeout with one line naming the lock', async () => {
    const path = join(dir, 'held.json');
    await withFileLock(path, async () => {
      await expect(withFileLock(path, () => 1, 100)).rejects.toThrow(/\.held\.json\.lock is still held/);
    });
  });
});
