// The runtime sets in src/generator/policy/runtime-sets.ts are measurements of the runtimes on
// the machine that ran `npm run gen:runtime-sets`. This test measures the installed runc and crun
// again and fails on drift: a version the file was not measured on, or a syscall made after the
// filter that the file lacks (a profile made today would kill that runtime's init).
import { describe, expect, it } from 'vitest';
import { measureRuntime } from '../../src/container/measure.js';
import { crunArgv } from '../../src/container/runtimes.js';
import { runtimeSyscalls } from '../../src/generator/policy/runtime.js';
import { RUNTIME_SETS } from '../../src/generator/policy/runtime-sets.js';
import { needs } from '../support/host.js';

const REGENERATE = 'run `npm run gen:runtime-sets` (as root) and commit the result';

for (const name of ['runc', 'crun'] as const) {
  describe(`${name}'s measured post-filter sets`, needs('root', name), () => {
    it(`match what ${name} does here after loading the filter`, async () => {
      const measured = await measureRuntime(name === 'crun' ? crunArgv() : ['runc'], 1);
      const file = RUNTIME_SETS[name];
      expect(
        measured.version,
        `${name} ${measured.version} is installed, the sets are of ${file.version}: ${REGENERATE}`,
      ).toBe(file.version);
      for (const mode of ['run', 'create-start'] as const) {
        for (const nnp of ['nnp', 'no-nnp'] as const) {
          // Against what a profile gets (runc: plus Go's housekeeping, which only some starts make).
          const allowed = runtimeSyscalls(name, nnp === 'nnp');
          const extra = measured.sets[mode][nnp].filter((s) => !allowed.includes(s));
          expect(extra, `${name} ${mode} ${nnp} now also makes ${extra.join(', ')}: ${REGENERATE}`).toEqual(
            [],
          );
          // The calls every start makes (not Go's occasional housekeeping) are all still made.
          for (const always of ['execve', 'close']) expect(measured.sets[mode][nnp]).toContain(always);
        }
      }
      // What the issue measured by hand: runc NNP-off needs epoll_ctl and fcntl, crun's create/start pselect6.
      if (name === 'runc')
        expect(measured.sets['create-start']['no-nnp']).toEqual(
          expect.arrayContaining(['epoll_ctl', 'fcntl']),
        );
      else expect(measured.sets['create-start']['no-nnp']).toContain('pselect6');
    });
  });
}
