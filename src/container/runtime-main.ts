// Entry point of the runtime wrapper (dist/bin/runtime.cjs, started by dist/bin/profile-runtime):
// the wrapper itself, or, with RECORDER_FLAG first, the background recorder it starts.
import { recorderMain } from './recorder.js';
import { RECORDER_FLAG, wrapperEntry, wrapperMain } from './wrapper.js';

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === RECORDER_FLAG) {
    // Its stdio is the container's: an unexpected error must not end up in the container's output.
    process.on('uncaughtException', () => process.exit(70));
    const dir = argv[1] ?? '';
    const args = argv.slice(argv[2] === '--' ? 3 : 2);
    await recorderMain(dir, args);
    return;
  }
  await wrapperMain(argv, wrapperEntry(import.meta.url));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Only the wrapper gets here (the recorder reports into its session): the engine logs stderr.
  process.stderr.write(`profile-runtime: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(127);
});
