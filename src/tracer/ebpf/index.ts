// The eBPF recorder as a library (package export `seccomp-profiler/ebpf`): a session that follows
// process trees in the kernel, and a launch-and-record call. Kept out of the main index so that
// importing the library does not load koffi.
export { buildRecording, type RunInfo } from '../../recording/builder.js';
export type { RawTrace } from '../../recording/trace.js';
export { type Collected, UNATTRIBUTED, UNKNOWN_EXECUTABLE } from './collect.js';
export { type EbpfTraceResult, traceEbpf } from './record.js';
export { EbpfRecorder, type FollowPhase } from './recorder.js';
