import { describe, expect, it } from 'vitest';
import {
  ARCHES,
  compareKernelReleases,
  formatKernelRelease,
  introducedAfter,
  introducedIn,
  KERNEL_RELEASE_FLOOR,
  LIBSECCOMP_NEWEST_RELEASE,
  LIBSECCOMP_OLDEST_RELEASE,
  libseccompFirstRelease,
  libseccompKnows,
  parseKernelRelease,
  parseLibseccompVersion,
  syscallNames,
} from '../../src/arch/index.js';
import { needs } from '../support/host.js';
import { libseccompResolves, libseccompVersion } from '../support/libseccomp.js';

describe('kernel releases', () => {
  it('parses uname -r and plain releases', () => {
    expect(parseKernelRelease('6.18.0-12-amd64')).toEqual([6, 18]);
    expect(parseKernelRelease('6.1.0-37-cloud-amd64\n')).toEqual([6, 1]);
    expect(parseKernelRelease('7.1-rc4')).toEqual([7, 1]);
    expect(parseKernelRelease('4.19.112+')).toEqual([4, 19]);
    expect(parseKernelRelease('5.15')).toEqual([5, 15]);
    expect(parseKernelRelease('6')).toBeUndefined();
    expect(parseKernelRelease('6.x')).toBeUndefined();
    expect(compareKernelReleases([5, 9], [5, 10])).toBeLessThan(0);
    expect(formatKernelRelease([6, 10])).toBe('6.10');
  });

  it('knows the release of every call numbered 424 and up, as the issue lists them', () => {
    const expected: Record<string, string> = {
      pidfd_send_signal: '5.1',
      io_uring_setup: '5.1',
      open_tree: '5.2',
      fsmount: '5.2',
      pidfd_open: '5.3',
      clone3: '5.3',
      close_range: '5.9',
      openat2: '5.6',
      faccessat2: '5.8',
      process_madvise: '5.10',
      epoll_pwait2: '5.11',
      mount_setattr: '5.12',
      landlock_create_ruleset: '5.13',
      quotactl_fd: '5.14',
      memfd_secret: '5.14',
      process_mrelease: '5.15',
      futex_waitv: '5.16',
      set_mempolicy_home_node: '5.17',
      cachestat: '6.5',
      fchmodat2: '6.6',
      map_shadow_stack: '6.6',
      futex_wake: '6.7',
      futex_requeue: '6.7',
      statmount: '6.8',
      listmount: '6.8',
      lsm_list_modules: '6.8',
      mseal: '6.10',
      setxattrat: '6.13',
      removexattrat: '6.13',
      open_tree_attr: '6.15',
      file_getattr: '6.17',
      file_setattr: '6.17',
      // The issue says 6.18; glibc and golang.org/x/sys both date listns (76b6f5dfb3fd) to 6.19.
      listns: '6.19',
      rseq_slice_yield: '7.0',
    };
    for (const [name, release] of Object.entries(expected)) {
      expect(introducedIn(name), name).toEqual({ release: parseKernelRelease(release), exact: true });
    }
  });

  it('gives older calls the floor, said to be a floor', () => {
    expect(formatKernelRelease(KERNEL_RELEASE_FLOOR)).toBe('5.0');
    expect(introducedIn('fchmodat')).toEqual({ release: [5, 0], exact: false });
    expect(introducedIn('clock_gettime64')).toEqual({ release: [5, 1], exact: true });
    expect(introducedIn('uretprobe')).toEqual({ release: [6, 11], exact: true });
    expect(introducedIn('no_such_call')).toBeUndefined();
  });

  it('says whether a kernel predates a call, or that it cannot tell', () => {
    expect(introducedAfter('fchmodat2', [6, 1])).toBe(true);
    expect(introducedAfter('fchmodat2', [6, 6])).toBe(false);
    expect(introducedAfter('fchmodat', [6, 1])).toBe(false);
    expect(introducedAfter('fchmodat', [4, 19])).toBeUndefined();
    expect(introducedAfter('clone3', [4, 19])).toBe(true);
    expect(introducedAfter('no_such_call', [6, 1])).toBeUndefined();
  });
});

describe('libseccomp releases', () => {
  it('knows when each name reached libseccomp’s tables', () => {
    expect(LIBSECCOMP_OLDEST_RELEASE).toBe('2.3.0');
    expect(LIBSECCOMP_NEWEST_RELEASE).toBe('2.6.1');
    expect(libseccompFirstRelease('x86_64', 'read')).toBe('2.3.0');
    expect(libseccompFirstRelease('x86_64', 'fchmodat2')).toBe('2.5.5');
    expect(libseccompFirstRelease('i386', 'mseal')).toBe('2.5.6');
    expect(libseccompFirstRelease('x86_64', 'listns')).toBe('2.6.1');
    expect(libseccompFirstRelease('aarch64', 'open')).toBeUndefined();
    // x32's tables before 2.5.0 were C files with (X32_SYSCALL_BIT + n) entries: known since 2.3.0.
    expect(libseccompFirstRelease('x32', 'read')).toBe('2.3.0');
    expect(libseccompFirstRelease('x32', 'statx')).toBe('2.3.3');
    // 2.5.5 had no number for map_shadow_stack on x32 (x86_64-only in the kernel); 2.5.6 gave it one.
    expect(libseccompFirstRelease('x32', 'map_shadow_stack')).toBe('2.5.6');
    expect(libseccompFirstRelease('ppc64le', 'riscv_flush_icache')).toBeUndefined();
    expect(libseccompFirstRelease('riscv64', 'riscv_flush_icache')).toBe('2.5.0');
  });

  it('answers for a version, or says it cannot tell', () => {
    const v = (text: string) => parseLibseccompVersion(text)!;
    expect(libseccompKnows('x86_64', 'fchmodat2', v('2.5.4'))).toBe(false);
    expect(libseccompKnows('x86_64', 'fchmodat2', v('2.5.5'))).toBe(true);
    expect(libseccompKnows('x86_64', 'read', v('2.2.3'))).toBeUndefined();
    expect(libseccompKnows('x86_64', 'clone3', v('2.2.3'))).toBe(false);
    expect(libseccompKnows('aarch64', 'open', v('2.6.1'))).toBe(false);
    expect(libseccompKnows('aarch64', 'open', v('2.7.0'))).toBeUndefined();
    expect(parseLibseccompVersion('2.5')).toEqual([2, 5, 0]);
    expect(parseLibseccompVersion('libseccomp 2.5.4')).toBeUndefined();
  });

  it('the system’s libseccomp resolves every name its release knows', needs('libseccomp'), () => {
    const version = libseccompVersion();
    for (const arch of ARCHES) {
      const missing = syscallNames(arch).filter(
        (name) => libseccompKnows(arch, name, version) === true && !libseccompResolves(arch, name),
      );
      expect(missing, `${arch} with libseccomp ${version.join('.')}`).toEqual([]);
    }
  });
});
