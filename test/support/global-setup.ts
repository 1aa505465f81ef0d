// Runs once before the suite: a build no older than the sources, and one probe of the host whose
// report every test file reads with inject('host') (test/support/host.ts).
import type { TestProject } from 'vitest/node';
import { ensureFreshBuild } from './build.js';
import { type HostReport, probeHost } from './host-probe.js';

declare module 'vitest' {
  export interface ProvidedContext {
    host: HostReport;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  ensureFreshBuild();
  project.provide('host', await probeHost());
}
