// The library API: everything the CLI does is callable from here.
export * from './arch/index.js';
export * from './errors.js';
export { conditionHolds, evaluatePolicy } from './generator/policy/evaluate.js';
export * from './generator/policy/types.js';
export { parseRecording, readRecording, writeRecording } from './recording/io.js';
export * from './recording/schema.js';
