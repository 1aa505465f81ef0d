// A raw .bpf profile is run as it is: enforce installs the file's own program, complain and check
// rewrite only its returns. A recompiled lift of it would lose argument tests such as W^X.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { enforcingFilter, tracingFilter } from '../../src/enforcer/filters.js';
import { loadProfile } from '../../src/enforcer/profile.js';
import { EXIT } from '../../src/errors.js';
import { decodeProgram, encodeProgram } from '../../src/generator/bpf/encode.js';
import { classOf, RET } from '../../src/generator/bpf/types.js';
import { needs } from '../support/host.js';
import { jsonReport, profile, recordAndGenerate, scratch } from './support.js';

const WX_C = fileURLToPath(new URL('../fixtures/enforcer/wx.c', import.meta.url));

interface Report {
  violations: { kind: string; syscall: string; args?: string[] }[];
}

describe(
  'a raw .bpf profile is enforced exactly as bwrap --seccomp runs it',
  needs('gcc', 'ptrace', 'seccomp'),
  () => {
    let dir: string;
    let wx: string;
    let bpf: string;

    beforeAll(async () => {
      dir = scratch('exact-bpf');
      wx = join(dir, 'wx');
      await execa('gcc', ['-O1', '-o', wx, WX_C]);
      // Recorded without the W+X call: the default `--args safe` pins mprotect's prot to what was seen.
      // Without ENOSYS above the syscall table, which only formats of numbers can say, so that the
      // conversions below can be exact.
      bpf = (await recordAndGenerate(dir, [wx, 'none'], ['bpf'], ['--no-enosys-newer'])).outputs.bpf!;
    });

    it('enforce kills a W+X mprotect, and names it', async () => {
      expect((await profile(['enforce', '--profile', bpf, '--', wx, 'none'])).exitCode).toBe(0);
      const run = await profile(['enforce', '--json', '--profile', bpf, '--', wx, 'wx']);
      expect(run.exitCode).toBe(EXIT.violation);
      expect(jsonReport<Report>(run.stdout).violations.map((v) => [v.kind, v.syscall])).toEqual([
        ['killed', 'mprotect'],
      ]);
    });

    it('bwrap --seccomp with the same file kills it the same way', needs('bwrap'), () => {
      // bwrap reads the filter from the fd: each run gets a fresh one.
      const run = (mode: string) => {
        const fd = openSync(bpf, 'r');
        try {
          const argv = [
            '--ro-bind',
            '/',
            '/',
            '--dev',
            '/dev',
            '--proc',
            '/proc',
            '--seccomp',
            '3',
            wx,
            mode,
          ];
          return spawnSync('bwrap', argv, {
            stdio: ['ignore', 'pipe', 'pipe', fd],
            encoding: 'utf8',
            timeout: 60_000,
          });
        } finally {
          closeSync(fd);
        }
      };
      expect(run('none').stdout).toBe('mprotect 0\n');
      const killed = run('wx');
      expect(killed.status).toBe(EXIT.violation);
      expect(killed.stdout).toBe('');
    });

    it('complain lists the W+X call and lets it run; check reports it as drift', async () => {
      const complain = await profile(['enforce', '--complain', '--json', '--profile', bpf, '--', wx, 'wx']);
      expect(complain.exitCode).toBe(0);
      const seen = jsonReport<Report>(complain.stdout).violations;
      expect(seen.map((v) => v.syscall)).toEqual(['mprotect']);
      const check = await profile(['check', '--profile', bpf, '--', wx, 'wx']);
      expect(check.exitCode).toBe(EXIT.failure);
      expect(check.stdout + check.stderr).toContain('mprotect');
      expect((await profile(['check', '--profile', bpf, '--', wx, 'none'])).exitCode).toBe(0);
    });

    it('enforce installs the file byte for byte; complain and check change only its returns', () => {
      const bytes = new Uint8Array(readFileSync(bpf));
      const loaded = loadProfile(bpf);
      expect(encodeProgram(enforcingFilter(loaded).filter)).toEqual(bytes);
      expect(enforcingFilter(loaded).errno).toBeUndefined();
      const before = decodeProgram(bytes);
      const after = tracingFilter(loaded);
      expect(after.length).toBe(before.length);
      after.forEach((insn, pc) => {
        if (classOf(insn.code) !== RET) expect(insn).toEqual(before[pc]);
      });
      expect(after.some((insn, pc) => insn.k !== before[pc]!.k)).toBe(true);
    });

    it('generate passes the program through to bpf byte for byte, and converts it to rules only exactly', async () => {
      const again = join(dir, 'again.bpf');
      expect((await profile(['generate', bpf, '--format', 'bpf', '-o', again])).exitCode).toBe(0);
      expect(readFileSync(again).equals(readFileSync(bpf))).toBe(true);
      // W^X as rules: mask tests Docker JSON can carry. The converted file decides like the filter.
      const docker = join(dir, 'converted.json');
      const conv = await profile(['generate', bpf, '--format', 'docker', '-o', docker]);
      expect(conv.exitCode, conv.stderr).toBe(0);
      const same = await profile(['diff', bpf, docker]);
      expect(same.stdout).toContain('decide every syscall the same way');
      expect(same.exitCode).toBe(0);
      expect((await profile(['enforce', '--profile', docker, '--', wx, 'wx'])).exitCode).toBe(EXIT.violation);
      // systemd has no argument tests: refused, naming what would change, unless asked for.
      const systemd = join(dir, 'converted.conf');
      const refused = await profile(['generate', bpf, '--format', 'systemd', '-o', systemd]);
      expect(refused.exitCode).toBe(EXIT.badInput);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(
        /mprotect \(arg2=0x[0-9a-f]+\): the filter KILL_PROCESS, ALLOW in the output/,
      );
      expect(refused.stderr).toContain('--lossy');
      expect(
        (await profile(['generate', bpf, '--format', 'systemd', '--lossy', '-o', systemd])).exitCode,
      ).toBe(0);
    });

    it('diff, lint and enforce agree on the same file: diff compares what the filters decide', async () => {
      const loose = (
        await recordAndGenerate(scratch('exact-bpf-loose'), [wx, 'none'], ['bpf'], ['--args', 'none'])
      ).outputs.bpf!;
      const changed = await profile(['diff', bpf, loose]);
      expect(changed.exitCode).toBe(1);
      expect(changed.stdout).toMatch(/~ x86_64 mprotect \(arg2=0x[0-9a-f]+\): KILL_PROCESS → ALLOW/);
      const lint = await profile(['lint', loose]);
      expect(lint.stdout).toContain('write-exec-memory');
      expect((await profile(['lint', bpf])).stdout).not.toContain('write-exec-memory');
      expect((await profile(['enforce', '--profile', loose, '--', wx, 'wx'])).exitCode).toBe(0);
    });
  },
);
