// A readable listing of a classic-BPF program, in the spirit of seccomp-tools and scmp_bpf_disasm.
import {
  ABS,
  ALU,
  classOf,
  IMM,
  IND,
  type Instruction,
  isTxa,
  JA,
  JEQ,
  JGE,
  JGT,
  JMP,
  JSET,
  LD,
  LDX,
  LEN,
  MEM,
  MISC,
  MSH,
  modeOf,
  NEG,
  opOf,
  RET,
  RET_A,
  returnOperand,
  ST,
  STX,
  sizeBytes,
  usesX,
  writesA,
} from './types.js';

/** What the disassembler knows at an instruction: where A came from, which loaded words are known. */
export interface FlowFacts {
  /** Offset of the LD|W|ABS that set A, when A still holds that word. */
  readonly aFrom?: number;
  /** Words whose value is known on every path here (from JEQ true branches). */
  readonly known: ReadonlyMap<number, number>;
}

/** Names for a domain (seccomp's is in src/generator/seccomp/annotate.ts); the toolkit knows none. */
export interface Annotator {
  /** Name of the word at `offset` of the input, e.g. `sys_number`. */
  wordName?(offset: number): string | undefined;
  /** Symbolic name of constant `k` compared against A, e.g. a syscall name. */
  constantName?(k: number, facts: FlowFacts): string | undefined;
  /** Name of a returned value, e.g. `ALLOW`. */
  returnName?(k: number): string | undefined;
}

const ALU_OPS: Record<number, string> = {
  0: '+=',
  16: '-=',
  32: '*=',
  48: '/=',
  64: '|=',
  80: '&=',
  96: '<<=',
  112: '>>=',
  144: '%=',
  160: '^=',
};

const hex = (v: number, width = 8): string => `0x${(v >>> 0).toString(16).padStart(width, '0')}`;
const line = (pc: number): string => pc.toString().padStart(4, '0');

function sameFacts(a: FlowFacts, b: FlowFacts): FlowFacts {
  const known = new Map<number, number>();
  for (const [off, v] of a.known) if (b.known.get(off) === v) known.set(off, v);
  return a.aFrom !== undefined && a.aFrom === b.aFrom ? { aFrom: a.aFrom, known } : { known };
}

/** Forward data flow over the (forward-only) jumps: the facts holding on entry to each instruction. */
export function flowFacts(p: readonly Instruction[]): (FlowFacts | undefined)[] {
  const facts: (FlowFacts | undefined)[] = new Array(p.length).fill(undefined);
  if (p.length > 0) facts[0] = { known: new Map() };
  const flow = (to: number, f: FlowFacts): void => {
    if (to >= p.length) return;
    const cur = facts[to];
    facts[to] = cur === undefined ? f : sameFacts(cur, f);
  };
  p.forEach((insn, pc) => {
    const f = facts[pc];
    if (f === undefined) return; // unreachable
    const cls = classOf(insn.code);
    if (cls === RET) return;
    if (cls === JMP) {
      const op = opOf(insn.code);
      if (op === JA) {
        flow(pc + 1 + insn.k, f);
        return;
      }
      let onTrue = f;
      if (op === JEQ && !usesX(insn.code) && f.aFrom !== undefined) {
        const known = new Map(f.known);
        known.set(f.aFrom, insn.k);
        onTrue = { aFrom: f.aFrom, known };
      }
      flow(pc + 1 + insn.jt, onTrue);
      flow(pc + 1 + insn.jf, f);
      return;
    }
    if (insn.code === (LD | ABS)) {
      flow(pc + 1, { aFrom: insn.k, known: f.known });
      return;
    }
    flow(pc + 1, writesA(insn.code) ? { known: f.known } : f);
  });
  return facts;
}

function operand(insn: Instruction, facts: FlowFacts | undefined, ann: Annotator): string {
  if (usesX(insn.code)) return 'X';
  const name = facts ? ann.constantName?.(insn.k, facts) : undefined;
  return name ?? hex(insn.k, 0);
}

function describeJump(pc: number, insn: Instruction, facts: FlowFacts | undefined, ann: Annotator): string {
  const op = opOf(insn.code);
  const target = (off: number): string => line(pc + 1 + off);
  if (op === JA) return `goto ${target(insn.k)}`;
  const rhs = operand(insn, facts, ann);
  const [yes, no] =
    op === JEQ
      ? [`A == ${rhs}`, `A != ${rhs}`]
      : op === JGT
        ? [`A > ${rhs}`, `A <= ${rhs}`]
        : op === JGE
          ? [`A >= ${rhs}`, `A < ${rhs}`]
          : op === JSET
            ? [`A & ${rhs}`, `!(A & ${rhs})`]
            : ['?', '?'];
  if (insn.jt === 0) return `if (${no}) goto ${target(insn.jf)}`;
  if (insn.jf === 0) return `if (${yes}) goto ${target(insn.jt)}`;
  return `if (${yes}) goto ${target(insn.jt)} else goto ${target(insn.jf)}`;
}

function describe(pc: number, insn: Instruction, facts: FlowFacts | undefined, ann: Annotator): string {
  const { code, k } = insn;
  const size = sizeBytes(code);
  const width = size === 4 ? '' : size === 2 ? '(u16)' : '(u8)';
  switch (classOf(code)) {
    case LD:
    case LDX: {
      const reg = classOf(code) === LDX ? 'X' : 'A';
      switch (modeOf(code)) {
        case IMM:
          return `${reg} = ${hex(k, 0)}`;
        case ABS:
          return `${reg} = ${width}${(size === 4 && ann.wordName?.(k)) || `data[${k}]`}`;
        case IND:
          return `${reg} = ${width}data[X + ${k}]`;
        case MEM:
          return `${reg} = M[${k}]`;
        case LEN:
          return `${reg} = len`;
        case MSH:
          return `${reg} = 4 * (data[${k}] & 0xf)`;
      }
      return '?';
    }
    case ST:
      return `M[${k}] = A`;
    case STX:
      return `M[${k}] = X`;
    case ALU: {
      if (opOf(code) === NEG) return 'A = -A';
      return `A ${ALU_OPS[opOf(code)] ?? '?='} ${usesX(code) ? 'X' : hex(k, 0)}`;
    }
    case JMP:
      return describeJump(pc, insn, facts, ann);
    case RET:
      if (returnOperand(code) === RET_A) return 'return A';
      return `return ${ann.returnName?.(k) ?? hex(k)}`;
    case MISC:
      return isTxa(code) ? 'A = X' : 'X = A';
  }
  return '?';
}

/** Lists `p` one instruction per line with its raw fields; `annotator` names words and constants. */
export function formatProgram(p: readonly Instruction[], annotator: Annotator = {}): string {
  const facts = flowFacts(p);
  const rows = [' line  CODE  JT   JF      K', '================================='];
  p.forEach((insn, pc) => {
    const raw = `${hex(insn.code, 2)} ${hex(insn.jt, 2)} ${hex(insn.jf, 2)} ${hex(insn.k)}`;
    rows.push(` ${line(pc)}: ${raw}  ${describe(pc, insn, facts[pc], annotator)}`);
  });
  return `${rows.join('\n')}\n`;
}
