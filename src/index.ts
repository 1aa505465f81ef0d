// The library API: everything the CLI does is callable from here.
export * from './arch/index.js';
export {
  type Consumer,
  consumerOfSystemLibrary,
  consumerOfVersion,
  installedRuntimes,
} from './consumers/consumers.js';
export {
  type ContainerEnforceOptions,
  type ContainerEnforceResult,
  enforceContainer,
} from './container/enforce.js';
export type { ContainerViolation } from './container/explain.js';
export { type MeasuredRuntime, measureRuntime } from './container/measure.js';
export {
  type ContainerRecordOptions,
  type ContainerRecordResult,
  isContainerCommand,
  recordContainer,
} from './container/record.js';
export { type DockerSetupOptions, type DockerSetupResult, setupDocker } from './container/setup.js';
export * from './enforcer/index.js';
export * from './errors.js';
export * from './generator/bpf/index.js';
export {
  emitPolicy,
  FORMATS,
  type Format,
  type GenerateRequest,
  type GenerateResult,
  generate,
  type LibseccompTarget,
  loadInput,
  loadPolicy,
  parseDockerProfile,
  parseOciSeccomp,
  policyFromRecordings,
} from './generator/index.js';
export { type ConsumerFinding, consumerFindings } from './generator/policy/consumer-check.js';
export { type RecordedCall, recordedCalls, refusedCalls } from './generator/policy/coverage.js';
export { conditionHolds, evaluatePolicy } from './generator/policy/evaluate.js';
export * from './generator/policy/options.js';
export * from './generator/policy/types.js';
export { policyFromProgram, summarizeProgram } from './generator/seccomp/analyze.js';
export { seccompReturnName } from './generator/seccomp/annotate.js';
export { compilePolicy } from './generator/seccomp/compile.js';
export { seccompData } from './generator/seccomp/data.js';
export { assertSeccompProgram, seccompProblem } from './generator/seccomp/validate.js';
export { buildRecording } from './recording/builder.js';
export { parseRecording, readRecording, writeRecording } from './recording/io.js';
export { mergeRecordings } from './recording/merge.js';
export * from './recording/schema.js';
export { type ShowJson, showJson } from './recording/show.js';
export {
  argvBytes,
  type ByteString,
  catchInterrupts,
  DEFAULT_GRACE_SECONDS,
  type EndedProcess,
  envEntries,
  exitCodeOf,
  type FilterEvent,
  type Inheritance,
  type Interrupts,
  inheritedByThisProcess,
  ownCwd,
  prepareTrace,
  STDIO_ONLY,
  type StopSignal,
  signalExitCode,
  type TraceOptions,
  type TraceOutcome,
  type TraceResult,
  trace,
  traceAllFilter,
} from './tracer/index.js';
export { type RecordOptions, type RecordResult, record } from './tracer/record.js';
