// Host capabilities the eBPF backend's tests need, probed once per test file (issue 8: skip with a
// printed reason, never silently). The probe is the real thing: load the recorder's programs
// through this kernel's verifier and unload them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EbpfRecorder } from '../../src/tracer/ebpf/recorder.js';

function probeEbpf(): string | undefined {
  try {
    EbpfRecorder.open().close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function probeInt80(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'probe-int80-'));
  try {
    const src = fileURLToPath(new URL('../fixtures/tracer/int80.c', import.meta.url));
    execFileSync('gcc', ['-O1', '-no-pie', '-o', join(dir, 'int80'), src], { stdio: 'ignore' });
    try {
      execFileSync(join(dir, 'int80'), { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'i386 emulation off (int 0x80 does not return)';
    }
  } catch {
    return 'no gcc to build the int 0x80 probe';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the eBPF backend cannot run here (not root, no BTF, a verifier that refuses it), or undefined. */
export const EBPF_SKIP: string | undefined = probeEbpf();
/** Why int 0x80 cannot be tested here, or undefined. */
export const INT80_SKIP: string | undefined = probeInt80();

if (EBPF_SKIP) console.warn(`host: eBPF backend tests skipped: ${EBPF_SKIP}`);

/** The record backends the parity tests run against, each with its reason to skip (if any). */
export const RECORD_BACKENDS = [
  { name: 'ptrace', skip: undefined },
  { name: 'ebpf', skip: EBPF_SKIP },
] as const satisfies readonly { name: string; skip: string | undefined }[];

/** A describe title that carries the skip reason, so the run's output says why. */
export function titled(name: string, skip: string | undefined): string {
  return skip === undefined ? name : `${name} (skipped: ${skip})`;
}
