// Tracer features the container recorder needs: a launcher that leaves no_new_privs alone (the
// runtime decides it for the container), and a call as soon as the first process has exited while
// its children still run (`runc create` returns, the container's init lives on).
import { describe, expect, it } from 'vitest';
import { trace } from '../../src/tracer/index.js';
import { needs } from '../support/host.js';
import { withEnv } from './support.js';

const NNP_IS = (v: number) => ['/bin/sh', '-c', `grep -q '^NoNewPrivs:[[:space:]]*${v}$' /proc/self/status`];

describe('trace() for runtimes', () => {
  it('sets no_new_privs by default', async () => {
    const r = await trace({ argv: NNP_IS(1), pin: false });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
  });

  it('noNewPrivileges: false installs the filter without it (CAP_SYS_ADMIN)', needs('root'), async () => {
    const r = await trace({ argv: NNP_IS(0), pin: false, noNewPrivileges: false });
    expect(r.outcome).toEqual({ status: 'exited', code: 0 });
    expect(r.recording.syscalls.x86_64?.execve).toBeDefined();
  });

  it('the Node launcher (the fallback) leaves no_new_privs alone the same way', needs('root'), async () => {
    await withEnv('SECCOMP_PROFILER_LAUNCHER', 'node', async () => {
      expect((await trace({ argv: NNP_IS(0), pin: false, noNewPrivileges: false })).outcome).toEqual({
        status: 'exited',
        code: 0,
      });
      expect((await trace({ argv: NNP_IS(1), pin: false })).outcome).toEqual({ status: 'exited', code: 0 });
    });
  });

  it('onRootExit reports the first process ending while its child still runs', async () => {
    const seen: string[] = [];
    const r = await trace({
      argv: ['/bin/sh', '-c', 'sleep 0.5 & exit 7'],
      pin: false,
      onRootExit: (code) => seen.push(`root ${code}`),
    }).then((result) => {
      seen.push('trace done');
      return result;
    });
    expect(seen).toEqual(['root 7', 'trace done']);
    // The sleep was still traced after its parent had gone.
    expect(r.recording.executables['/usr/bin/sleep']?.x86_64?.clock_nanosleep).toBeGreaterThan(0);
  });
});
