// `profile merge -o OUT REC…`: union of recordings, counts summed, every run's provenance kept.
import type { Command } from 'commander';
import { readRecording, writeRecording } from '../../src/recording/io.js';
import { mergeRecordings } from '../../src/recording/merge.js';
import { assertWritable } from '../../src/util/atomic-write.js';
import { action } from '../run.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge recordings (e.g. one per test run) into one')
    .requiredOption('-o, --output <file>', 'where to write the merged recording')
    .argument('<recordings...>', 'recordings to merge')
    .action(
      action((paths: string[], flags: { output: string }) => {
        assertWritable(flags.output);
        const merged = mergeRecordings(paths.map((p) => readRecording(p)));
        writeRecording(flags.output, merged);
        return 0;
      }),
    );
}
