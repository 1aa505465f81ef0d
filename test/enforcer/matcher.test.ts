// The vitest matcher: a committed profile as a syscall regression test.
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/testing/vitest.js';
import { needs } from '../support/host.js';
import { PYTHON, recordAndGenerate, scratch } from './support.js';

const BEFORE = [PYTHON, '-c', 'import os; os.getppid()'];
const AFTER = [PYTHON, '-c', 'import os; os.getppid(); os.getpgrp()'];
let seccomp: string;

beforeAll(async () => {
  seccomp = (await recordAndGenerate(scratch('matcher'), BEFORE, ['docker'])).outputs.docker!;
});

describe('toStayWithinProfile', needs('python3', 'ptrace', 'seccomp'), () => {
  it('passes a workload that stays within its profile', async () => {
    await expect(run(BEFORE)).toStayWithinProfile(seccomp);
  });

  it('fails naming the new syscall and its executable', async () => {
    await expect(expect(run(AFTER)).toStayWithinProfile(seccomp)).rejects.toThrow(/python3[\s\S]*getpgrp/);
    await expect(run(AFTER)).not.toStayWithinProfile(seccomp);
  });

  it('fails when the workload exits non-zero, unless told any exit is fine', async () => {
    const failing = [PYTHON, '-c', 'import os, sys; os.getppid(); sys.exit(4)'];
    await expect(expect(run(failing)).toStayWithinProfile(seccomp)).rejects.toThrow(/exited with 4/);
    await expect(run(failing)).toStayWithinProfile(seccomp, { exitCode: 'any' });
  });
});
