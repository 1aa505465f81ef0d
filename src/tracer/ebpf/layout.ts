// The kernel struct offsets the programs read, from the running kernel's BTF (btf.ts), and cached
// for the rest of the boot: finding them costs ≈ 20–40 ms (copying 5.5 MB of BTF and scanning
// it), the cache ≈ 0.1 ms. The cache lives in /run (root-only, emptied at boot) and is keyed by
// the boot id, so it can never describe another kernel.
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { type Btf, loadVmlinuxBtf } from './btf.js';

/** Byte offsets of the fields the recorder reads, all from the running kernel. */
export interface KernelLayout {
  readonly taskPid: number;
  readonly taskTgid: number;
  readonly taskSignal: number;
  /**
   * task_struct.thread_info.status, whose TS_COMPAT bit marks a 32-bit (int 0x80) syscall in
   * progress; undefined where the kernel has no such field (i386 calls then look like x86_64).
   */
  readonly taskStatus: number | undefined;
  readonly signalLive: number;
  readonly binprmFile: number;
  /** file.f_path.mnt and .dentry. */
  readonly fileMnt: number;
  readonly fileDentry: number;
  readonly dentryParent: number;
  /** dentry.d_name.len and .name. */
  readonly dentryNameLen: number;
  readonly dentryName: number;
  readonly vfsmountRoot: number;
  /** struct mount embeds the vfsmount at mountMnt (container_of). */
  readonly mountMnt: number;
  readonly mountParent: number;
  readonly mountMountpoint: number;
  /** dentry.d_hash.pprev: NULL once the file was unlinked (d_path then says " (deleted)"). */
  readonly dentryHashPprev: number;
  /** pt_regs offsets of the six syscall arguments: x86_64/x32 (di si dx r10 r8 r9), i386 (bx cx dx si di bp). */
  readonly argRegs64: readonly number[];
  readonly argRegs32: readonly number[];
  /**
   * What a container recording (TraceOptions.scopes) reads: task_struct.fs, fs_struct.root.dentry
   * (a container's processes exec under another root) and task_struct.seccomp.filter (calls made
   * under a filter installed after the workload started); undefined where the kernel lacks one.
   */
  readonly scopes: { taskFs: number; fsRootDentry: number; taskSeccompFilter: number } | undefined;
}

const CACHE_DIR = '/run/seccomp-profiler';
const CACHE_FILE = `${CACHE_DIR}/kernel-layout.json`;
const VERSION = 3;

/** Why the backend cannot run on this kernel or here (no BTF, a missing field, a PID namespace). */
export class LayoutError extends Error {}

/** Offset of a member path such as `f_path.mnt`; `size` (bytes) is checked when given. */
function field(btf: Btf, struct: number, path: string, size: number | undefined): number {
  let id = struct;
  let offset = 0;
  const parts = path.split('.');
  for (const [i, name] of parts.entries()) {
    const m = btf.member(id, name);
    if (!m) throw new LayoutError(`the kernel's BTF has no member ${path}`);
    offset += m.offset;
    if (i === parts.length - 1) {
      if (size !== undefined && m.size !== size)
        throw new LayoutError(`${path} is ${m.size} bytes, expected ${size}`);
    } else {
      const inner = btf.memberType(id, name);
      if (inner === undefined) throw new LayoutError(`the kernel's BTF has no member ${path}`);
      id = inner;
    }
  }
  return offset;
}

/** Reads the layout from BTF. Throws LayoutError when something is missing. */
export function layoutFromBtf(btf: Btf): KernelLayout {
  const names = [
    'task_struct',
    'signal_struct',
    'linux_binprm',
    'file',
    'dentry',
    'vfsmount',
    'mount',
    'pt_regs',
    'fs_struct',
  ];
  const ids = btf.findStructs(names);
  const id = (name: string): number => {
    const found = ids.get(name);
    if (found === undefined) throw new LayoutError(`the kernel's BTF has no struct ${name}`);
    return found;
  };
  const task = id('task_struct');
  let taskStatus: number | undefined;
  try {
    taskStatus = field(btf, task, 'thread_info.status', 4);
  } catch {
    taskStatus = undefined;
  }
  let scopes: KernelLayout['scopes'];
  try {
    scopes = {
      taskFs: field(btf, task, 'fs', 8),
      fsRootDentry: field(btf, id('fs_struct'), 'root.dentry', 8),
      taskSeccompFilter: field(btf, task, 'seccomp.filter', 8),
    };
  } catch {
    scopes = undefined;
  }
  return {
    taskPid: field(btf, task, 'pid', 4),
    taskTgid: field(btf, task, 'tgid', 4),
    taskSignal: field(btf, task, 'signal', 8),
    taskStatus,
    signalLive: field(btf, id('signal_struct'), 'live', 4),
    binprmFile: field(btf, id('linux_binprm'), 'file', 8),
    fileMnt: field(btf, id('file'), 'f_path.mnt', 8),
    fileDentry: field(btf, id('file'), 'f_path.dentry', 8),
    dentryParent: field(btf, id('dentry'), 'd_parent', 8),
    dentryNameLen: field(btf, id('dentry'), 'd_name.len', 4),
    dentryName: field(btf, id('dentry'), 'd_name.name', 8),
    vfsmountRoot: field(btf, id('vfsmount'), 'mnt_root', 8),
    mountMnt: field(btf, id('mount'), 'mnt', undefined),
    mountParent: field(btf, id('mount'), 'mnt_parent', 8),
    mountMountpoint: field(btf, id('mount'), 'mnt_mountpoint', 8),
    dentryHashPprev: field(btf, id('dentry'), 'd_hash.pprev', 8),
    argRegs64: ['di', 'si', 'dx', 'r10', 'r8', 'r9'].map((r) => field(btf, id('pt_regs'), r, 8)),
    argRegs32: ['bx', 'cx', 'dx', 'si', 'di', 'bp'].map((r) => field(btf, id('pt_regs'), r, 8)),
    scopes,
  };
}

function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

function readCache(boot: string): KernelLayout | undefined {
  try {
    const cached = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as {
      version?: number;
      boot?: string;
      layout?: KernelLayout;
    };
    if (cached.version === VERSION && cached.boot === boot && cached.layout) return cached.layout;
  } catch {}
  return undefined;
}

let memo: KernelLayout | undefined;

/** The running kernel's layout: from memory, the boot's cache, or BTF (then cached). */
export function kernelLayout(): KernelLayout {
  if (memo) return memo;
  const boot = bootId();
  const cached = readCache(boot);
  if (cached) {
    memo = cached;
    return cached;
  }
  const btf = loadVmlinuxBtf();
  if (!btf) throw new LayoutError('the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)');
  try {
    memo = layoutFromBtf(btf);
  } finally {
    btf.release();
  }
  try {
    mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
    writeFileAtomic(CACHE_FILE, JSON.stringify({ version: VERSION, boot, layout: memo }), 0o600);
  } catch {
    // Not root, or /run is read-only: the next run reads BTF again.
  }
  return memo;
}
