// Reading seccomp filters back, ours or libseccomp's: per-syscall summaries (lint, diff), the
// kernel's action-cache emulation, and a best-effort lift to the Policy IR.
export { constantResult } from './cache.js';
export { policyFromProgram } from './lift.js';
export { summarizeProgram } from './summarize.js';
