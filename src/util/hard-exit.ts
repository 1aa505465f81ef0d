// Ending a finished process without Node's teardown. Once the event loop is empty, Node frees its
// whole heap page by page before exiting (≈ 10 ms of a `record`, measured with hyperfine: 145 →
// 134 ms for `record --backend ebpf -- /bin/true`); the kernel frees it at once on _exit(2).
// libc's _exit is offered here by the module that binds libc (src/tracer/libc.ts), so a command that
// never loaded koffi does not load it just to exit.
let libcExit: ((code: number) => void) | undefined;

/** Called by the libc bindings when they load. */
export function offerLibcExit(exit: (code: number) => void): void {
  libcExit = exit;
}

/**
 * Once nothing is left to run ('beforeExit': no pending I/O, timer or thread), run the 'exit'
 * listeners as process.exit() would, then _exit with the exit code. Stdout and stderr need no flush:
 * Node writes them synchronously on Linux (files, pipes and terminals alike). Without libc loaded
 * (a command that never bound it, or a system without libc.so.6), Node exits as usual.
 */
export function exitWithoutTeardown(): void {
  process.once('beforeExit', (code) => {
    const exit = libcExit;
    if (exit === undefined) return;
    const status = typeof process.exitCode === 'number' ? process.exitCode : code;
    process.emit('exit', status);
    exit(status);
  });
}
