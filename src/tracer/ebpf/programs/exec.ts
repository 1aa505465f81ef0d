// sched_process_exec(task, old_pid, bprm): a followed process now runs another executable. Each
// distinct executable (by dentry and mount) gets an image id and its path, read here in the kernel
// while the file is certainly there, the way d_path() builds /proc/PID/exe: walk up the dentries,
// crossing into the parent mount at each mount root, until the root of the mount tree.
import { errnoNumber } from '../../../arch/errno.js';
import { EbpfAssembler, type Label } from '../asm.js';
import {
  ADD,
  AND,
  B,
  DW,
  HELPER,
  JEQ,
  JGE,
  JGT,
  JLE,
  JLT,
  JNE,
  OR,
  R0,
  R1,
  R2,
  R3,
  R4,
  R6,
  R7,
  R8,
  R9,
  R10,
  SUB,
  W,
} from '../insn.js';
import type { KernelLayout } from '../layout.js';
import {
  LAUNCHER_IMAGE,
  MAX_IMAGES,
  type Maps,
  PATH_BUF,
  PATH_TRUNCATED,
  STAT,
  UNKNOWN_IMAGE,
} from '../maps.js';
import { add64, bumpProcsGen, currentTgid, lookup, probeRead, returnZero, stackPtr, update } from './emit.js';
import { emitContainment, emitKeepImage } from './exec-scope.js';

/** Path components and mount crossings walked at most; deeper paths are marked truncated. */
export const MAX_DEPTH = 128;
/** Set in the path's flags when the file was unlinked (d_path appends " (deleted)"). */
export const PATH_DELETED = 2;
const NAME_MAX = 255;
const EEXIST = errnoNumber('EEXIST')!;
const BPF_ANY = 0;
const BPF_NOEXIST = 1;

// Stack layout (offsets from r10).
const TGID = -4;
const ZERO_KEY = -8;
const IMAGE_KEY = -24; // { dentry, vfsmount }
const IMAGE_VALUE = -40; // { id, pad, execs }
const FILE = -48;
const ID = -52;
const OLD_IMAGE = -56;
// The walk's state, shared with the bpf_loop callback through a pointer.
const WALK = -128;
const W_DENTRY = 0;
const W_MNT = 8;
const W_ROOT = 16;
const W_POS = 24;
const W_SCRATCH = 32;
const W_TMP = 40;
const W_NAME = 48;
const W_LEN = 56;
const W_DONE = 64;

/** The exec program; `step` is the bpf_loop callback's first instruction (it needs func_info). */
export function execProgram(maps: Maps, layout: KernelLayout): { insns: Uint8Array; step: number } {
  const a = new EbpfAssembler();
  const out = a.label('out');
  const setImage = a.label('set_image');
  const unknown = a.label('unknown');
  const step = a.label('step');
  // r6 = ctx, r7 = the process's procs value, r8 = image id (walk: position), r9 = stats / scratch.
  a.mov(R6, R1);
  currentTgid(a, TGID);
  lookup(a, maps.procs, TGID, out);
  a.mov(R7, R0);
  a.st(W, R10, ZERO_KEY, 0);
  // Read again past the walk (scopes), also where it was never filled.
  if (layout.scopes) a.st(DW, R10, IMAGE_KEY, 0).st(DW, R10, IMAGE_KEY + 8, 0);

  // bprm->file->f_path: the executable actually run (the interpreter, for a script).
  probeRead(a, FILE, 8, () => a.ldx(DW, R3, R6, 16), layout.binprmFile);
  a.jmp(JNE, R0, 0, unknown);
  probeRead(a, IMAGE_KEY + 8, 8, () => a.ldx(DW, R3, R10, FILE), layout.fileMnt);
  a.jmp(JNE, R0, 0, unknown);
  probeRead(a, IMAGE_KEY, 8, () => a.ldx(DW, R3, R10, FILE), layout.fileDentry);
  a.jmp(JNE, R0, 0, unknown);

  const fresh = a.label('new_image');
  lookup(a, maps.images, IMAGE_KEY, fresh);
  add64(a, R0, 8, 1);
  a.ldx(W, R8, R0, 0);
  a.goto(setImage);

  // A new executable: take an id, store its path, then publish (dentry, mount) → id.
  const register = a.label('register');
  a.bind(fresh);
  lookup(a, maps.stats, ZERO_KEY, out);
  a.mov(R9, R0);
  a.mov(R8, 1);
  a.atomicAdd(DW, R9, STAT.nextImage, R8, true);
  a.alu64(ADD, R8, 1);
  a.jmp(JGE, R8, MAX_IMAGES, unknown);
  a.st(W, R10, ID, R8);
  lookup(a, maps.scratch, ZERO_KEY, register);
  a.mov(R9, R0);
  emitPathWalk(a, layout, step);
  update(a, maps.paths, ID, R9, BPF_ANY);
  a.bind(register);
  a.ldx(W, R8, R10, ID);
  a.st(W, R10, IMAGE_VALUE, R8);
  a.st(W, R10, IMAGE_VALUE + 4, 0);
  a.st(DW, R10, IMAGE_VALUE + 8, 1);
  update(a, maps.images, IMAGE_KEY, IMAGE_VALUE, BPF_NOEXIST);
  a.jmp(JNE, R0, -EEXIST, setImage);
  // Another CPU registered the same file first: use its id (ours keeps a path nobody refers to).
  lookup(a, maps.images, IMAGE_KEY, setImage);
  add64(a, R0, 8, 1);
  a.ldx(W, R8, R0, 0);
  a.goto(setImage);

  // Past MAX_IMAGES distinct executables (or an unreadable bprm): counted, without a path.
  a.bind(unknown);
  a.mov(R8, UNKNOWN_IMAGE);
  lookup(a, maps.stats, ZERO_KEY, setImage);
  add64(a, R0, STAT.unknownImageExecs, 1);

  // The process runs image r8 from now on; the launcher's exec starts the workload.
  a.bind(setImage);
  a.ldx(W, R1, R7, 0);
  a.st(W, R10, OLD_IMAGE, R1);
  if (layout.scopes) emitKeepImage(a, layout, { oldImage: OLD_IMAGE, imageKey: IMAGE_KEY });
  a.st(W, R7, 0, R8);
  if (layout.scopes) emitContainment(a, maps, layout.scopes, { oldImage: OLD_IMAGE, zeroKey: ZERO_KEY });
  bumpProcsGen(a, maps, ZERO_KEY);
  a.ldx(W, R1, R10, OLD_IMAGE);
  a.jmp(JNE, R1, LAUNCHER_IMAGE, out);
  lookup(a, maps.stats, ZERO_KEY, out);
  add64(a, R0, STAT.processes, 1);
  add64(a, R0, STAT.threads, 1);
  a.bind(out);
  returnZero(a);
  a.bind(step);
  emitStep(a, layout);
  return { insns: a.assemble(), step: a.positionOf(step) };
}

/**
 * Fills the scratch value at r9 with the path of IMAGE_KEY's dentry and mount, one bpf_loop()
 * step per component or mount crossing: the step is verified once, where an unrolled walk took
 * the verifier ≈ 45 ms. Clobbers r0–r5 and r8.
 */
function emitPathWalk(a: EbpfAssembler, layout: KernelLayout, step: Label): void {
  a.st(W, R9, 4, 0);
  // " (deleted)" in d_path's terms: the leaf dentry is unhashed.
  const hashed = a.label('hashed');
  probeRead(a, WALK + W_TMP, 8, () => a.ldx(DW, R3, R10, IMAGE_KEY), layout.dentryHashPprev);
  a.ldx(DW, R1, R10, WALK + W_TMP);
  a.jmp(JNE, R1, 0, hashed);
  a.st(W, R9, 4, PATH_DELETED);
  a.bind(hashed);
  a.ldx(DW, R1, R10, IMAGE_KEY);
  a.st(DW, R10, WALK + W_DENTRY, R1);
  a.ldx(DW, R1, R10, IMAGE_KEY + 8);
  a.st(DW, R10, WALK + W_MNT, R1);
  probeRead(a, WALK + W_ROOT, 8, () => a.ldx(DW, R3, R10, WALK + W_MNT), layout.vfsmountRoot);
  a.st(DW, R10, WALK + W_POS, PATH_BUF);
  a.st(DW, R10, WALK + W_DONE, 0);
  a.st(DW, R10, WALK + W_SCRATCH, R9);
  a.mov(R1, MAX_DEPTH);
  a.ldFunc(R2, step);
  stackPtr(a, R3, WALK);
  a.mov(R4, 0);
  a.call(HELPER.loop);
  // Out of steps before the root: the path is cut at the front.
  const reached = a.label('reached');
  a.ldx(DW, R1, R10, WALK + W_DONE);
  a.jmp(JNE, R1, 0, reached);
  a.ldx(W, R1, R9, 4).alu32(OR, R1, PATH_TRUNCATED).st(W, R9, 4, R1);
  a.bind(reached);
  a.ldx(DW, R1, R10, WALK + W_POS);
  a.st(W, R9, 0, R1);
}

/**
 * The bpf_loop callback (r1 = index, r2 = &walk on the caller's stack): one step up. At the root
 * of a mount, continue from its mountpoint in the parent mount; the root of the whole tree is its
 * own parent (done). Otherwise prepend "/name" to buf[pos..PATH_BUF). Returns 1 to stop.
 */
function emitStep(a: EbpfAssembler, layout: KernelLayout): void {
  const component = a.label('component');
  const fits = a.label('fits');
  const stop = a.label('stop');
  const cont = a.label('continue');
  const full = a.label('full');
  a.mov(R6, R2);
  const read = (dst: number, size: number, from: number, off: number) => {
    a.ldx(DW, R3, R6, from);
    if (off !== 0) a.alu64(ADD, R3, off);
    a.mov(R1, R6).alu64(ADD, R1, dst);
    a.mov(R2, size);
    a.call(HELPER.probeReadKernel);
    a.jmp(JNE, R0, 0, stop);
  };
  a.ldx(DW, R1, R6, W_DENTRY);
  a.ldx(DW, R2, R6, W_ROOT);
  a.jmp(JNE, R1, R2, component);
  // struct mount = container_of(vfsmount, struct mount, mnt).
  read(W_TMP, 8, W_MNT, layout.mountParent - layout.mountMnt);
  a.ldx(DW, R1, R6, W_TMP);
  a.ldx(DW, R2, R6, W_MNT);
  a.alu64(ADD, R2, -layout.mountMnt);
  a.jmp(JEQ, R1, R2, stop);
  read(W_DENTRY, 8, W_MNT, layout.mountMountpoint - layout.mountMnt);
  a.ldx(DW, R1, R6, W_TMP);
  a.alu64(ADD, R1, layout.mountMnt);
  a.st(DW, R6, W_MNT, R1);
  read(W_ROOT, 8, W_MNT, layout.vfsmountRoot);
  a.goto(cont);

  a.bind(component);
  read(W_TMP, 8, W_DENTRY, layout.dentryParent);
  a.ldx(DW, R1, R6, W_TMP);
  a.ldx(DW, R2, R6, W_DENTRY);
  a.jmp(JEQ, R1, R2, stop); // the root of a file system that is not mounted here
  read(W_LEN, 4, W_DENTRY, layout.dentryNameLen);
  read(W_NAME, 8, W_DENTRY, layout.dentryName);
  a.ldx(W, R2, R6, W_LEN);
  a.jmp(JLE, R2, NAME_MAX, fits);
  a.mov(R2, NAME_MAX);
  a.bind(fits);
  // r2 = length (0..255): room for "/" + name before pos, or the path is cut here.
  a.mov(R1, R2).alu64(ADD, R1, 1);
  a.ldx(DW, R8, R6, W_POS);
  a.jmp(JGT, R8, PATH_BUF, full);
  a.jmp(JLT, R8, R1, full);
  a.alu64(SUB, R8, R1);
  a.alu64(AND, R8, PATH_BUF - 1); // a no-op (pos < PATH_BUF now) that bounds it for the verifier
  a.st(DW, R6, W_POS, R8);
  a.ldx(DW, R7, R6, W_SCRATCH);
  a.mov(R1, R7).alu64(ADD, R1, R8);
  a.st(B, R1, 8, 0x2f /* '/' */);
  a.alu64(ADD, R1, 9);
  a.ldx(DW, R3, R6, W_NAME);
  a.call(HELPER.probeReadKernel);
  a.ldx(DW, R1, R6, W_TMP);
  a.st(DW, R6, W_DENTRY, R1);
  a.bind(cont);
  a.mov(R0, 0).exit();
  a.bind(full);
  a.ldx(DW, R7, R6, W_SCRATCH);
  a.ldx(W, R1, R7, 4).alu32(OR, R1, PATH_TRUNCATED).st(W, R7, 4, R1);
  a.bind(stop);
  a.st(DW, R6, W_DONE, 1);
  a.mov(R0, 1).exit();
}
