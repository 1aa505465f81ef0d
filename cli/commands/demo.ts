// `profile demo` (also `npm start`): the main job on the bundled workload, start to finish.
import type { Command } from 'commander';
import { action } from '../run.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('record → generate (docker + bpf) → enforce the bundled workload, then catch a violation')
    .action(
      action(async () => {
        const { runDemo } = await import('../../src/enforcer/demo.js');
        return runDemo();
      }),
    );
}
