// Tests ask for host capabilities here and are skipped, with the reason, when one is missing:
//   it('…', needs('gcc', 'i386'), async () => { … })
//   describe('…', needs('runc'), () => { … })
// The reporter (test/support/host-reporter.ts) ends the run with one line per reason and count.
import { inject } from 'vitest';
import type { Capability, HostReport } from './host-probe.js';

export type { Capability } from './host-probe.js';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Set on a test or suite skipped because the host lacks something: the reason. */
    hostSkip?: string;
  }
}

/** The probed host (see test/support/host-probe.ts). */
export function host(): HostReport {
  return inject('host');
}

/** True when the host has every capability. */
export function has(...caps: readonly Capability[]): boolean {
  const report = host();
  return caps.every((cap) => report[cap].ok);
}

/** Test or suite options: skipped, with the missing capabilities' reasons, unless all are present. */
export function needs(...caps: readonly Capability[]): { skip: boolean; meta: { hostSkip?: string } } {
  const report = host();
  const missing = caps.filter((cap) => !report[cap].ok).map((cap) => report[cap].detail);
  return missing.length === 0
    ? { skip: false, meta: {} }
    : { skip: true, meta: { hostSkip: missing.join('; ') } };
}
