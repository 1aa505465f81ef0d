// Who will resolve a profile's syscall names, and what their libseccomp knows. A consumer that links
// the system's libseccomp is asked through the library itself; one known only by its libseccomp
// version (a statically linked runc, or --libseccomp X.Y.Z) through the release table of src/arch,
// which cannot see a distribution's patches. Each consumer says which of the two it used.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Arch, type LibseccompVersion, libseccompKnows, parseLibseccompVersion } from '../arch/index.js';
import { systemLibseccomp } from './libseccomp.js';

/** A program that resolves profile names with libseccomp, and how we know what it resolves. */
export interface Consumer {
  /** "runc 1.1.5+ds1", "crun 1.8.1", "systemd", "libseccomp 2.5.4". */
  readonly name: string;
  /** Its libseccomp version, when known. */
  readonly version?: LibseccompVersion;
  /** 'library': the system's libseccomp was asked; 'release': the release table for `version`. */
  readonly basis: 'library' | 'release';
  /** The consumer, its libseccomp and how we know, for messages. */
  readonly label: string;
  /** Whether it puts `name` in `arch`'s filter; undefined when the data cannot tell. */
  knows(arch: Arch, name: string): boolean | undefined;
}

/** A consumer whose libseccomp is `version` (runtime `name` built with it), judged by the release table. */
export function consumerOfVersion(version: LibseccompVersion, name?: string): Consumer {
  const v = version.join('.');
  return {
    name: name ?? `libseccomp ${v}`,
    version,
    basis: 'release',
    label: name
      ? `${name} (built with libseccomp ${v}, judged by that release's table)`
      : `libseccomp ${v} (judged by that release's table)`,
    knows: (arch, syscall) => libseccompKnows(arch, syscall, version),
  };
}

/** The system's libseccomp, as runtime `name` linking it (or anything else that does) uses it. */
export function consumerOfSystemLibrary(name?: string): Consumer | undefined {
  const lib = systemLibseccomp();
  if (!lib) return undefined;
  const v = lib.version.join('.');
  return {
    name: name ?? "the system's libseccomp",
    version: lib.version,
    basis: 'library',
    label: name
      ? `${name} (links the system's libseccomp ${v}, asked directly)`
      : `the system's libseccomp ${v} (asked directly)`,
    knows: (arch, syscall) => lib.resolves(arch, syscall),
  };
}

function onPath(program: string): string | undefined {
  for (const dir of (
    process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  ).split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A runtime found on PATH: what `--version` says, and whether it links libseccomp.so.2. */
export interface RuntimeProbe {
  readonly path: string;
  readonly name: string;
  readonly libseccomp?: LibseccompVersion;
  readonly dynamic: boolean;
}

/**
 * Runs `<program> --version` (runc prints "libseccomp: 2.5.4"; crun prints no version) and looks
 * for libseccomp.so.2 among the strings of its executable (its dynamic dependency). Undefined when
 * the program is not installed or does not answer.
 */
export function probeRuntime(program: 'runc' | 'crun'): RuntimeProbe | undefined {
  const path = onPath(program);
  if (!path) return undefined;
  let text: string;
  try {
    text = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const version = /^\S+ version (\S+)/m.exec(text)?.[1];
  const lib = /^libseccomp:\s*(\S+)/m.exec(text)?.[1];
  let dynamic = false;
  try {
    dynamic = readFileSync(path).includes('libseccomp.so.2\0');
  } catch {
    // unreadable: judge by the version alone
  }
  const libseccomp = lib ? parseLibseccompVersion(lib) : undefined;
  return {
    path,
    name: version ? `${program} ${version}` : program,
    dynamic,
    ...(libseccomp ? { libseccomp } : {}),
  };
}

/**
 * The consumer a runtime is: the system's library when the runtime links it, else its reported
 * version; undefined when neither is known (a static build that does not say).
 */
export function consumerOfRuntime(probe: RuntimeProbe): Consumer | undefined {
  if (probe.dynamic) {
    const lib = consumerOfSystemLibrary(probe.name);
    if (lib) return lib;
  }
  return probe.libseccomp ? consumerOfVersion(probe.libseccomp, probe.name) : undefined;
}

let runtimes: { consumers: Consumer[]; unknown: string[] } | undefined;

/**
 * The container runtimes installed here (runc, crun) as consumers, probed once per process; and
 * the runtimes found whose libseccomp cannot be told.
 */
export function installedRuntimes(): { consumers: readonly Consumer[]; unknown: readonly string[] } {
  if (!runtimes) {
    runtimes = { consumers: [], unknown: [] };
    for (const program of ['runc', 'crun'] as const) {
      const probe = probeRuntime(program);
      if (!probe) continue;
      const consumer = consumerOfRuntime(probe);
      if (consumer) runtimes.consumers.push(consumer);
      else runtimes.unknown.push(probe.name);
    }
  }
  return runtimes;
}
