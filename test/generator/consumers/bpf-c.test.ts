// The bpf-c header compiles, and its loader installs the filter: the workload runs, acct(2) is killed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../support/host.js';
import { generateFor, prepareWorkload, type Workload } from './support.js';

let w: Workload;
let exe: string;
beforeAll(async () => {
  w = await prepareWorkload('bpf-c');
  const header = await generateFor(w, 'bpf-c', 'profile.h');
  const main = join(w.dir, 'loader.c');
  writeFileSync(
    main,
    `#include <stdio.h>\n#include "${header}"\nint main(int argc, char **argv) {\n  (void)argc;\n  if (profile_install() != 0) { perror("profile_install"); return 69; }\n  execv(argv[1], argv + 1);\n  perror("execv");\n  return 127;\n}\n`,
  );
  exe = join(w.dir, 'loader');
  await execa('gcc', ['-Wall', '-Werror', main, '-o', exe]);
});

describe('bpf-c output', needs('gcc', 'ptrace', 'seccomp'), () => {
  it('runs the recorded workload under the installed filter', async () => {
    const r = await execa(exe, [w.binary], { reject: false });
    expect(r.stdout).toBe('ok');
    expect(r.exitCode).toBe(0);
  });
  it('kills a syscall outside the profile', async () => {
    const r = await execa(exe, [w.binary, 'forbidden'], { reject: false });
    expect(r.signal).toBe('SIGSYS');
  });
});
