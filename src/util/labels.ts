// Symbolic positions in a program under construction, for the classic-BPF builder
// (src/generator/bpf/builder.ts) and the eBPF assembler (src/tracer/ebpf/asm.ts): a label is made,
// bound once to an instruction index, and looked up when jumps are resolved.

/** A symbolic position in a program under construction. */
export interface Label {
  readonly id: number;
  readonly name: string;
}

export class Labels {
  private readonly bound = new Map<number, number>();
  private next = 0;

  /** A fresh, unbound label. */
  create(name = 'L'): Label {
    return { id: this.next++, name };
  }

  /** Binds `label` to instruction `at`. A label is bound once. */
  bind(label: Label, at: number): void {
    if (this.bound.has(label.id)) throw new Error(`label ${label.name}#${label.id} bound twice`);
    this.bound.set(label.id, at);
  }

  /** The instruction `label` is bound to, or undefined. */
  at(label: Label): number | undefined {
    return this.bound.get(label.id);
  }

  /** The instruction `label` is bound to; throws when it never was. */
  positionOf(label: Label): number {
    const at = this.bound.get(label.id);
    if (at === undefined) throw new Error(`label ${label.name}#${label.id} never bound`);
    return at;
  }

  /** Moves every binding through `f` (instructions inserted or removed). */
  remap(f: (at: number) => number): void {
    for (const [id, at] of this.bound) this.bound.set(id, f(at));
  }
}
