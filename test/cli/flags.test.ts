import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  parseArches,
  parseArgsMode,
  parseCaps,
  parseDefaultAction,
  parseErrnoOverride,
  parseRuntime,
} from '../../cli/flags.js';
import { parseKernelVersion } from '../../src/generator/policy/kernel-version.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../src/generator/policy/options.js';

describe('parseDefaultAction', () => {
  it.each([
    ['kill-process', { kind: 'kill-process' }],
    ['kill-thread', { kind: 'kill-thread' }],
    ['trap', { kind: 'trap' }],
    ['log', { kind: 'log' }],
    ['trace', { kind: 'trace' }],
    ['errno', { kind: 'errno', errno: constants.errno.EPERM }],
    ['errno:ENOSYS', { kind: 'errno', errno: constants.errno.ENOSYS }],
    ['errno:eacces', { kind: 'errno', errno: constants.errno.EACCES }],
    ['errno:38', { kind: 'errno', errno: 38 }],
  ])('%s', (text, want) => {
    expect(parseDefaultAction(text)).toEqual(want);
  });

  it('rejects unknown actions with the list of choices', () => {
    expect(() => parseDefaultAction('allow')).toThrow(
      'Expected `--default-action` to be one of kill-process, kill-thread, trap, errno[:N], log, trace, got `allow`',
    );
    expect(() => parseDefaultAction('errno:ENOSYSS')).toThrow(/did you mean ENOSYS/);
    expect(() => parseDefaultAction('errno:0')).toThrow(/1\.\.4095/);
  });

  it('defaults to kill-process with the baseline and safe argument rules', () => {
    expect(DEFAULT_GENERATE_OPTIONS).toMatchObject({
      defaultAction: { kind: 'kill-process' },
      baseline: true,
      args: 'safe',
      // Resolved by the output format: the runc and crun sets for docker/oci/k8s, else none.
      runtime: 'auto',
    });
  });
});

describe('parseErrnoOverride', () => {
  it('takes SYSCALL=ERRNO with errno names from os.constants', () => {
    expect(parseErrnoOverride('clone3=ENOSYS')).toEqual(['clone3', constants.errno.ENOSYS]);
    expect(parseErrnoOverride('socketcall=1')).toEqual(['socketcall', 1]);
  });
  it('suggests the nearest syscall names for a typo', () => {
    expect(() => parseErrnoOverride('clone4=ENOSYS')).toThrow(
      /unknown syscall `clone4` \(did you mean clone, clone3/,
    );
    expect(() => parseErrnoOverride('clone3')).toThrow(/SYSCALL=ERRNO/);
  });
});

describe('other flags', () => {
  it('parses args, runtime, arches, caps and kernel', () => {
    expect(parseArgsMode('strict')).toBe('strict');
    expect(() => parseArgsMode('loose')).toThrow(
      'Expected `--args` to be one of none, safe, strict, got `loose`',
    );
    expect(parseRuntime('runc')).toBe('runc');
    expect(() => parseRuntime('docker')).toThrow(/one of auto, any, runc, crun, none/);
    expect(parseArches('x86_64, i386,x86_64')).toEqual(['x86_64', 'i386']);
    expect(() => parseArches('amd64')).toThrow(/got `amd64`/);
    expect(parseCaps('sys_admin,CAP_NET_ADMIN')).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
    expect(parseCaps('none')).toEqual([]);
    expect(() => parseCaps('SYS_ADMN')).toThrow(/did you mean CAP_SYS_ADMIN/);
    expect(parseKernelVersion('5.10.0-23-amd64')).toEqual([5, 10]);
    expect(() => parseKernelVersion('five')).toThrow(/X\.Y/);
  });
});
