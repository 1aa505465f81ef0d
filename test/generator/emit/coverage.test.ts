// Nothing recorded is dropped: for every output format, the filter its consumer would build from the
// output (read back by ./read-back.ts) lets every recorded (ABI, number) run, with the argument values
// the recording kept. Numbers without a name go into every format that carries numbers; the formats
// that name syscalls refuse them (exit 65) rather than write a narrower profile.
import { describe, expect, it } from 'vitest';
import { ProfilerError } from '../../../src/errors.js';
import { emitPolicy, FORMATS, type Format } from '../../../src/generator/emit/index.js';
import { refusedCalls } from '../../../src/generator/policy/coverage.js';
import { policyFromRecordings } from '../../../src/generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type { Recording } from '../../../src/recording/schema.js';
import { needs } from '../../support/host.js';
import { makeRecording, values } from '../policy/fixtures.js';
import { readBack } from './read-back.js';

const BY_NAME: readonly Format[] = ['docker', 'oci', 'k8s', 'systemd'];

/** Calls of three ABIs, with argument values, and the syscalls of Linux 6.5–6.8. */
function recording(): Recording {
  return makeRecording({
    syscalls: {
      x86_64: [
        'read',
        'write',
        'openat',
        'close',
        'socket',
        'mmap',
        'mprotect',
        'clone',
        'fchmodat2',
        'cachestat',
        'mseal',
        'futex_wake',
        'lsm_get_self_attr',
        'exit_group',
      ],
      i386: ['read', 'socketcall', 'exit_group'],
      x32: ['read', 'exit_group'],
    },
    args: {
      x86_64: {
        socket: values([
          { domain: 1, type: 1 },
          { domain: 10, type: 2 },
        ]),
        mmap: values([{ prot: 1 }, { prot: 3 }, { prot: 5 }]),
        mprotect: values([{ prot: 1 }]),
        clone: values([{ flags: 0x1200011 }]),
      },
    },
  });
}

/**
 * The recording plus x86_64 syscall 500 and (unless `nativeOnly`: libseccomp takes raw numbers on
 * the native ABI only) x32 syscall 0x40000000+480, which no table names.
 */
function withUnnamed(nativeOnly = false): Recording {
  const rec = recording();
  const x32: Record<string, { nr: number; count: number }> = nativeOnly
    ? {}
    : { syscall_1073742304: { nr: 0x40000000 + 480, count: 1 } };
  return {
    ...rec,
    syscalls: {
      ...rec.syscalls,
      x86_64: { ...rec.syscalls.x86_64, syscall_500: { nr: 500, count: 1 } },
      x32: { ...rec.syscalls.x32, ...x32 },
    },
  };
}

describe('every format allows every recorded syscall', () => {
  const named = policyFromRecordings([recording()], DEFAULT_GENERATE_OPTIONS);
  const unnamed = policyFromRecordings([withUnnamed()], DEFAULT_GENERATE_OPTIONS);

  async function covers(format: Format): Promise<void> {
    const recs = BY_NAME.includes(format) ? [recording()] : [withUnnamed(format === 'libseccomp')];
    const policy = policyFromRecordings(recs, DEFAULT_GENERATE_OPTIONS);
    const decide = await readBack(format, emitPolicy(policy, format));
    expect(refusedCalls(recs, decide)).toEqual([]);
  }

  it.each(FORMATS.filter((f) => f !== 'libseccomp'))('%s', covers);

  // The C file is read back by compiling it and letting libseccomp export its filter.
  it('libseccomp', needs('gcc', 'libseccomp'), () => covers('libseccomp'));

  it('the check can fail: a format read back without one recorded syscall refuses it', async () => {
    const without = {
      ...named,
      rules: { ...named.rules, x86_64: named.rules.x86_64!.filter((r) => r.syscall !== 'mseal') },
    };
    const decide = await readBack('docker', emitPolicy(without, 'docker'));
    expect(refusedCalls([recording()], decide)).toEqual(['x86_64 mseal (462)']);
    const wrongArgs = await readBack('bpf', emitPolicy(named, 'bpf'));
    const rec = recording();
    const inet = {
      ...rec,
      args: { x86_64: { ...rec.args.x86_64, socket: values([{ domain: 2, type: 1 }]) } },
    };
    expect(refusedCalls([inet], wrongArgs)).toEqual(['x86_64 socket (41)']);
  });

  it.each(
    BY_NAME,
  )('%s refuses a number without a name (exit 65), naming it and the formats that carry it', (format) => {
    let error: unknown;
    try {
      emitPolicy(unnamed, format);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfilerError);
    expect((error as ProfilerError).exitCode).toBe(65);
    expect((error as ProfilerError).message).toMatch(
      /syscall numbers without a name: x86_64 500 \(allow\), x32 0x400001e0 \(allow\)\. A \S+ profile allows syscalls by name only.*--format bpf, bpf-c, disasm or libseccomp/,
    );
  });

  it('libseccomp C carries a number without a name by number (NULL name)', () => {
    expect(emitPolicy(unnamed, 'libseccomp') as string).toContain('  {NULL, 500, SCMP_ACT_ALLOW, 0, {}},');
  });

  it(
    'libseccomp C refuses to build where libseccomp cannot take the number',
    needs('gcc', 'libseccomp'),
    async () => {
      const c = emitPolicy(unnamed, 'libseccomp') as string;
      // x32 is not the native ABI: libseccomp cannot take a raw x32 number, so profile_build() fails.
      const error = await readBack('libseccomp', c).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect(Buffer.from((error as unknown as { stderr: Uint8Array }).stderr).toString()).toContain(
        'profile: syscall 1073742304 has no name; libseccomp adds numbers on the native ABI only',
      );
    },
  );
});
