// The enforcer: run workloads under profiles (enforce, complain, check) and inspect profiles (diff, lint).
export { type CheckOptions, type CheckResult, check } from './check.js';
export { describeAction, describeCondition, describeRule } from './describe.js';
export { type ArchDiff, diffPolicies, formatDiff, type PolicyDiff } from './diff.js';
export { type EnforceOptions, type EnforceResult, enforce } from './enforce.js';
export { diff, lint, type ProfileSource } from './inspect.js';
export { DANGEROUS_SYSCALLS, formatFindings, type LintCheck, type LintFinding, lintPolicy } from './lint.js';
export { type LoadedProfile, loadProfile, readProfile, widenPolicy } from './profile.js';
export { formatCheck, formatEnforce } from './report.js';
export type { ProfileSummary, TracedRunOptions } from './run.js';
export type { Violation, ViolationKind } from './violations.js';
