// Reading and rewriting an engine command line (`docker run …`, `podman run …`, `runc run ID`):
// which engine, where the `run` options go, and what the user already chose (a seccomp profile,
// a runtime, a cid file) that a session must respect.
import { basename } from 'node:path';
import { ProfilerError } from '../errors.js';

export type EngineName = 'docker' | 'podman' | 'runc' | 'crun';

/** A `docker|podman [global options] [container] run [options] IMAGE [CMD…]` command line. */
export interface EngineRun {
  readonly engine: 'docker' | 'podman';
  readonly argv: readonly string[];
  /** Index in argv of the `run` word. */
  readonly runIndex: number;
  /** Index in argv of the image (argv.length when there is none). */
  readonly imageIndex: number;
  /** The image, if it could be told apart from the options. */
  readonly image?: string;
  /** Values of `--security-opt seccomp=…` (last one wins in both engines). */
  readonly seccomp?: string;
  readonly cidfile?: string;
  /** docker: `run --runtime NAME`; podman: the global `--runtime PATH`. */
  readonly runtime?: string;
  readonly detach: boolean;
}

/** A `runc|crun [global options] run … ID` command line: traced directly, no wrapper needed. */
export interface RuntimeRun {
  readonly engine: 'runc' | 'crun';
  readonly argv: readonly string[];
}

const DOCKER_GLOBAL_VALUE = new Set([
  '-H',
  '--host',
  '--config',
  '-c',
  '--context',
  '-l',
  '--log-level',
  '--tlscacert',
  '--tlscert',
  '--tlskey',
]);
const PODMAN_GLOBAL_VALUE = new Set([
  '--runtime',
  '--root',
  '--runroot',
  '--cgroup-manager',
  '--events-backend',
  '--storage-driver',
  '--storage-opt',
  '--log-level',
  '--conmon',
  '--tmpdir',
  '--url',
  '--identity',
  '--connection',
  '-c',
  '--network-cmd-path',
  '--network-config-dir',
  '--hooks-dir',
  '--volumepath',
  '--imagestore',
  '--runtime-flag',
  '--module',
]);
/** `run` options that take a value, for finding the image (both engines; unknown ones: see below). */
const RUN_VALUE = new Set(
  (
    '-a --attach --add-host --annotation --blkio-weight --cap-add --cap-drop --cgroup-parent --cgroupns --cidfile ' +
    '--cpu-period --cpu-quota --cpu-shares -c --cpus --cpuset-cpus --cpuset-mems --device --dns --dns-option --dns-search ' +
    '--entrypoint -e --env --env-file --expose --gpus --group-add -h --hostname --health-cmd --init-path --ip --ip6 --ipc ' +
    '-l --label --label-file --link --log-driver --log-opt --mac-address -m --memory --memory-reservation --memory-swap ' +
    '--mount --name --network --net --network-alias --oom-score-adj --pid --pids-limit --platform -p --publish --pull ' +
    '--restart --runtime --security-opt --shm-size --stop-signal --stop-timeout --storage-opt --sysctl --tmpfs --ulimit ' +
    '-u --user --userns --uts -v --volume --volume-driver --volumes-from -w --workdir --cgroup-manager --conmon-pidfile ' +
    '--pod --log-level --timeout --arch --os --variant --secret --uidmap --gidmap --subuidname --subgidname'
  ).split(' '),
);

function optionValue(args: readonly string[], i: number, name: string): [string | undefined, number] {
  const a = args[i]!;
  if (a.startsWith(`${name}=`)) return [a.slice(name.length + 1), i];
  return [args[i + 1], i + 1];
}

/** Parses an engine command line; undefined when it is not a container run we know. */
export function parseEngineCommand(argv: readonly string[]): EngineRun | RuntimeRun | undefined {
  const base = basename(argv[0] ?? '');
  if (base === 'runc' || base === 'crun') return { engine: base, argv };
  if (base !== 'docker' && base !== 'podman') return undefined;
  const name = base;
  const globalValue = name === 'docker' ? DOCKER_GLOBAL_VALUE : PODMAN_GLOBAL_VALUE;
  let runtime: string | undefined;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    const flag = a.split('=')[0]!;
    if (globalValue.has(flag)) {
      const [v, next] = optionValue(argv, i, flag);
      if (name === 'podman' && flag === '--runtime') runtime = v;
      i = next;
    }
  }
  if (argv[i] === 'container') i++;
  if (argv[i] !== 'run') return undefined;
  const runIndex = i;
  let seccomp: string | undefined;
  let cidfile: string | undefined;
  let detach = false;
  let image: string | undefined;
  let imageIndex = argv.length;
  for (i = runIndex + 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      image = argv[i + 1];
      imageIndex = i;
      break;
    }
    if (!a.startsWith('-')) {
      image = a;
      imageIndex = i;
      break;
    }
    const flag = a.split('=')[0]!;
    if (flag === '-d' || flag === '--detach' || /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a))
      detach ||= a !== '--detach=false';
    if (!RUN_VALUE.has(flag) || a.includes('=')) {
      if (RUN_VALUE.has(flag)) {
        const [v] = optionValue(argv, i, flag);
        if (flag === '--security-opt' && v?.startsWith('seccomp=')) seccomp = v.slice(8);
        if (flag === '--cidfile') cidfile = v;
        if (flag === '--runtime' && name === 'docker') runtime = v;
      }
      continue;
    }
    const v = argv[i + 1];
    if (flag === '--security-opt' && v?.startsWith('seccomp=')) seccomp = v.slice(8);
    if (flag === '--cidfile') cidfile = v;
    if (flag === '--runtime' && name === 'docker') runtime = v;
    i++;
  }
  return {
    engine: name,
    argv,
    runIndex,
    imageIndex,
    ...(image ? { image } : {}),
    ...(seccomp ? { seccomp } : {}),
    ...(cidfile ? { cidfile } : {}),
    ...(runtime ? { runtime } : {}),
    detach,
  };
}

/** What a session adds to the command line. */
export interface Injection {
  /** docker: the registered runtime name; podman: the wrapper's path (global `--runtime`). */
  readonly runtime: string;
  readonly cidfile: string;
  /** A seccomp profile file for the container, unless the user named one. */
  readonly seccomp?: string;
}

/** argv without `--runtime X` / `--runtime=X` between from (inclusive) and to (exclusive). */
function withoutRuntime(argv: readonly string[], from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (i >= from && i < to && a === '--runtime') i++;
    else if (!(i >= from && i < to && a.startsWith('--runtime='))) out.push(a);
  }
  return out;
}

/**
 * The command line with the session's options. Options go right after `run` (before the image);
 * a `--runtime` of the user's is replaced by the wrapper's (the session runs the user's one).
 */
export function injectSession(run: EngineRun, add: Injection): string[] {
  if (run.detach) {
    throw new ProfilerError(
      'USAGE',
      `\`${run.engine} run -d\` returns before the container ends; run it in the foreground to profile it`,
    );
  }
  const runOptions = [
    ...(run.cidfile ? [] : ['--cidfile', add.cidfile]),
    ...(add.seccomp ? ['--security-opt', `seccomp=${add.seccomp}`] : []),
  ];
  const { argv, runIndex } = run;
  if (run.engine === 'docker') {
    const rest = withoutRuntime(argv.slice(runIndex + 1), 0, run.imageIndex - runIndex - 1);
    return [...argv.slice(0, runIndex + 1), '--runtime', add.runtime, ...runOptions, ...rest];
  }
  const head = withoutRuntime(argv.slice(0, runIndex), 1, runIndex);
  return [
    head[0]!,
    '--runtime',
    add.runtime,
    ...head.slice(1),
    'run',
    ...runOptions,
    ...argv.slice(runIndex + 1),
  ];
}
