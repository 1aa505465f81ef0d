// The classic-BPF toolkit: build with labels, assemble, validate, encode/decode, run, disassemble.
export * from './builder.js';
export * from './disasm.js';
export * from './encode.js';
export * from './interpreter.js';
export * from './types.js';
export * from './validate.js';
