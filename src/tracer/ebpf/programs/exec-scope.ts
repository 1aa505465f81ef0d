// The exec program's part for container runs (TraceOptions.scopes): which processes are inside the
// container, told by the root directory they exec under, as the ptrace tracer tells them.
import type { EbpfAssembler } from '../asm.js';
import { AND, DW, HELPER, JEQ, JNE, JSET, OR, R0, R1, R2, R3, R7, R8, R9, R10, SUB, W } from '../insn.js';
import type { KernelLayout } from '../layout.js';
import { LAUNCHER_IMAGE, type Maps, PROC_CONTAINED, PROC_SCOPED, STAT } from '../maps.js';
import { lookup, probeRead } from './emit.js';

// Stack slots below the exec program's path walk (done by the time this runs).
const FS = -136;
const ROOT = -144;
const FILTER = -152;
const TMP = -160;

/**
 * A scoped process that execs a file which is the root of a detached mount (runc re-executing itself
 * from a bind mount it detached after pivot_root), whose path reads as '/', keeps the image it ran
 * (r8 := the old image): it is still that program, as the ptrace tracer says (loop.ts onExec).
 */
export function emitKeepImage(
  a: EbpfAssembler,
  layout: KernelLayout,
  stack: { readonly oldImage: number; readonly imageKey: number },
): void {
  const done = a.label('keep_done');
  a.ldx(W, R1, R7, 4).alu32(AND, R1, PROC_SCOPED);
  a.jmp32(JEQ, R1, 0, done);
  a.ldx(W, R1, R10, stack.oldImage);
  a.jmp(JEQ, R1, LAUNCHER_IMAGE, done);
  // The file is its mount's root…
  probeRead(a, TMP, 8, () => a.ldx(DW, R3, R10, stack.imageKey + 8), layout.vfsmountRoot);
  a.jmp(JNE, R0, 0, done);
  a.ldx(DW, R1, R10, TMP).ldx(DW, R2, R10, stack.imageKey);
  a.jmp(JNE, R1, R2, done);
  // …and the mount is its own parent (detached, or a namespace's root).
  probeRead(
    a,
    TMP,
    8,
    () => a.ldx(DW, R3, R10, stack.imageKey + 8).alu64(SUB, R3, layout.mountMnt),
    layout.mountParent,
  );
  a.jmp(JNE, R0, 0, done);
  a.ldx(DW, R1, R10, TMP)
    .ldx(DW, R2, R10, stack.imageKey + 8)
    .alu64(SUB, R2, layout.mountMnt);
  a.jmp(JNE, R1, R2, done);
  a.ldx(W, R8, R10, stack.oldImage);
  a.bind(done);
}

/**
 * A scoped process (a container run), r7 = its procs value: at the launcher's exec, stores the root
 * dentry and seccomp filter the workload starts with; at any later exec under another root, the
 * process (and, through fork, its children) becomes contained for good, as the ptrace tracer does.
 */
export function emitContainment(
  a: EbpfAssembler,
  maps: Maps,
  scopes: NonNullable<KernelLayout['scopes']>,
  stack: { readonly oldImage: number; readonly zeroKey: number },
): void {
  const OLD_IMAGE = stack.oldImage;
  const ZERO_KEY = stack.zeroKey;
  const done = a.label('containment_done');
  const compare = a.label('containment_compare');
  a.ldx(W, R1, R7, 4);
  a.jmp(JSET, R1, PROC_CONTAINED, done);
  a.mov(R2, R1).alu32(AND, R2, PROC_SCOPED);
  a.jmp32(JEQ, R2, 0, done);
  a.call(HELPER.getCurrentTask);
  a.mov(R9, R0);
  probeRead(a, FS, 8, () => a.mov(R3, R9), scopes.taskFs);
  a.jmp(JNE, R0, 0, done);
  probeRead(a, ROOT, 8, () => a.ldx(DW, R3, R10, FS), scopes.fsRootDentry);
  a.jmp(JNE, R0, 0, done);
  a.ldx(W, R1, R10, OLD_IMAGE);
  a.jmp(JNE, R1, LAUNCHER_IMAGE, compare);
  // The launcher's exec: what the workload starts with.
  probeRead(a, FILTER, 8, () => a.mov(R3, R9), scopes.taskSeccompFilter);
  a.jmp(JNE, R0, 0, done);
  lookup(a, maps.stats, ZERO_KEY, done);
  a.ldx(DW, R1, R10, ROOT).st(DW, R0, STAT.hostRoot, R1);
  a.ldx(DW, R1, R10, FILTER).st(DW, R0, STAT.hostFilter, R1);
  a.goto(done);
  a.bind(compare);
  lookup(a, maps.stats, ZERO_KEY, done);
  a.ldx(DW, R1, R0, STAT.hostRoot);
  a.ldx(DW, R2, R10, ROOT);
  a.jmp(JEQ, R1, R2, done);
  a.ldx(W, R1, R7, 4).alu32(OR, R1, PROC_CONTAINED);
  a.st(W, R7, 4, R1);
  a.bind(done);
}
