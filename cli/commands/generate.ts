// `profile generate [INPUT…] --format F [-o FILE]`: argument parsing and printing only.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ProfilerError } from '../../src/errors.js';
import { FORMATS, generate, isBinaryFormat, parseFormat } from '../../src/generator/index.js';
import { parseKernelVersion } from '../../src/generator/policy/kernel-version.js';
import {
  parseArches,
  parseArgsMode,
  parseCaps,
  parseDefaultAction,
  parseErrnoOverrides,
  parseLibseccompTarget,
  parseRuntime,
} from '../flags.js';
import { action } from '../run.js';

interface GenerateFlags {
  format: string;
  output?: string;
  defaultAction?: string;
  errno: string[];
  baseline: boolean;
  args: string;
  runtime?: string;
  nnp?: boolean;
  exe: string[];
  excludeExe: string[];
  arches?: string;
  caps?: string;
  kernel?: string;
  lossy?: boolean;
  enosysNewer: boolean;
  libseccomp: string;
}

const DEFAULT_RECORDING = 'recording.json';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Turn recordings or Docker/OCI/BPF profiles into a seccomp profile in any format')
    .argument(
      '[inputs...]',
      'recordings, Docker/OCI profile JSON or raw BPF filters (kind detected from content); default: recording.json',
    )
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'docker')
    .option('-o, --output <file>', 'write here (atomically) instead of stdout')
    .option(
      '--default-action <action>',
      'action for everything else: kill-process (default for recordings), kill-thread, trap, errno[:N], log, trace',
    )
    .option(
      '--errno <syscall=errno>',
      'make one syscall fail with an errno, e.g. clone3=ENOSYS (repeatable)',
      collect,
      [],
    )
    .option(
      '--no-baseline',
      'do not add the baseline (rt_sigreturn, restart_syscall, exit, exit_group, sched_yield)',
    )
    .option('--args <mode>', 'argument rules: none, safe, strict', 'safe')
    .option(
      '--runtime <runtime>',
      'add what the container runtime calls after loading the filter (measured): auto (runc and crun for docker/oci/k8s, else none), any, runc, crun, none',
    )
    .option('--nnp', "only the runtime's set for noNewPrivileges=true (default: both settings)")
    .option(
      '--no-nnp',
      "only the runtime's set for noNewPrivileges=false, what docker and podman use by default",
    )
    .option('--exe <glob>', 'only syscalls of these executables (glob or path; repeatable)', collect, [])
    .option('--exclude-exe <glob>', 'leave out syscalls of these executables (repeatable)', collect, [])
    .option('--arches <list>', 'ABIs of the policy, e.g. x86_64,i386 (default: those recorded)')
    .option(
      '--caps <list>',
      "capabilities for Docker profiles' includes/excludes (default: Docker's default set)",
    )
    .option('--kernel <X.Y>', "kernel version for Docker profiles' minKernel (default: the running kernel)")
    .option(
      '--lossy',
      'convert a raw BPF filter even where the output cannot decide exactly as it does (the output says what was approximated)',
    )
    .option(
      '--no-enosys-newer',
      'give syscalls newer than the recorded kernel the default action instead of ENOSYS (which lets libc fall back)',
    )
    .option(
      '--libseccomp <version>',
      "check names against this libseccomp (e.g. 2.5.4), 'auto' (runc/crun installed here, or the system library) or 'none'",
      'auto',
    )
    .action(
      action(async (inputs: string[], flags: GenerateFlags) => {
        const format = parseFormat(flags.format);
        if (!inputs.length) {
          // `profile record` writes recording.json by default: record, then generate, no names needed.
          if (!existsSync(DEFAULT_RECORDING))
            throw new ProfilerError(
              'USAGE',
              `no inputs given and no ${DEFAULT_RECORDING} here: name a recording, a profile or a BPF filter`,
            );
          inputs = [DEFAULT_RECORDING];
        }
        if (flags.kernel) parseKernelVersion(flags.kernel);
        if (isBinaryFormat(format) && flags.output === undefined && process.stdout.isTTY)
          throw new ProfilerError(
            'USAGE',
            `refusing to write the binary ${format} filter to a terminal; use -o FILE or redirect stdout`,
          );
        const libseccomp = parseLibseccompTarget(flags.libseccomp);
        const { content, warnings, notes } = await generate({
          inputs,
          format,
          ...(flags.output !== undefined ? { output: flags.output } : {}),
          ...(flags.defaultAction ? { defaultAction: parseDefaultAction(flags.defaultAction) } : {}),
          errnoOverrides: parseErrnoOverrides(flags.errno),
          baseline: flags.baseline,
          args: parseArgsMode(flags.args),
          ...(flags.runtime ? { runtime: parseRuntime(flags.runtime) } : {}),
          ...(flags.nnp === undefined ? {} : { noNewPrivileges: flags.nnp }),
          ...(flags.exe.length || flags.excludeExe.length
            ? { executables: { include: flags.exe, exclude: flags.excludeExe } }
            : {}),
          ...(flags.arches ? { arches: parseArches(flags.arches) } : {}),
          ...(flags.caps !== undefined ? { caps: parseCaps(flags.caps) } : {}),
          ...(flags.kernel ? { kernel: flags.kernel } : {}),
          ...(flags.lossy ? { lossy: true } : {}),
          enosysNewer: flags.enosysNewer,
          libseccomp,
        });
        for (const w of warnings) process.stderr.write(`profile: warning: ${w}\n`);
        for (const n of notes) process.stderr.write(`profile: note: ${n}\n`);
        if (flags.output === undefined)
          process.stdout.write(typeof content === 'string' ? content : Buffer.from(content));
        return undefined;
      }),
    );
}
