// A small fixed policy for golden files, and normalisation of what changes between runs.
import { policyFromRecordings } from '../../../src/generator/policy/from-recordings.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/generator/policy/options.js';
import type { Policy } from '../../../src/generator/policy/types.js';
import { TOOL_VERSION } from '../../../src/version.js';
import { makeRecording, values } from '../policy/fixtures.js';

/** A recording-derived policy with argument rules, an errno override and two ABIs. */
export function samplePolicy(): Policy {
  const rec = makeRecording({
    command: ['/usr/bin/python3', '-c', 'print(1)'],
    syscalls: {
      x86_64: ['read', 'write', 'openat', 'close', 'mmap', 'mprotect', 'socket', 'clone', 'clone3', 'execve'],
      i386: ['read', 'write', 'socketcall'],
    },
    args: {
      x86_64: {
        socket: values([{ domain: 1, type: 1 }]),
        mmap: values([{ prot: 1 }, { prot: 3 }]),
        mprotect: values([{ prot: 1 }]),
        clone: values([{ flags: 0x1200011 }]),
      },
    },
  });
  const p = policyFromRecordings([rec], {
    ...DEFAULT_GENERATE_OPTIONS,
    errnoOverrides: new Map([['clone3', 38]]),
  });
  return { ...p, provenance: { ...p.provenance!, sources: ['/tmp/work/python.recording.json'] } };
}

/** Replaces the tool version so golden files survive releases. */
export function normalize(text: string): string {
  return text.split(`seccomp-profiler ${TOOL_VERSION}`).join('seccomp-profiler <version>');
}
