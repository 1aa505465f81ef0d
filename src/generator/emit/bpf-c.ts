// `bpf-c`: a C header with the compiled filter as a sock_filter array and a loader function.
import type { ValidatedProgram } from '../bpf/types.js';
import type { Policy } from '../policy/types.js';
import { compilePolicy } from '../seccomp/compile.js';
import { rangeNotes } from './by-name.js';
import { provenanceComment } from './provenance.js';

const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, '0')}`;

/** The header for `program`, or the policy compiled; the policy's provenance heads it. */
export function emitBpfC(policy: Policy, program: ValidatedProgram = compilePolicy(policy)): string {
  const rows = program.map((i) => `  {${hex(i.code, 4)}, ${i.jt}, ${i.jf}, ${hex(i.k >>> 0, 8)}},`);
  return `/*
${provenanceComment(policy, ' *', rangeNotes(policy, true, 'bpf-c'))}
 *
 * Usage: #include this header, then call profile_install() right before execve():
 * it sets no_new_privs and installs the filter for the calling thread (and what it execs).
 */
#ifndef SECCOMP_PROFILE_H
#define SECCOMP_PROFILE_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct sock_filter profile_filter[${program.length}] = {
${rows.join('\n')}
};

/* 0 on success, -1 with errno set on failure. */
static inline int profile_install(void) {
  struct sock_fprog prog = {
    .len = (unsigned short)(sizeof(profile_filter) / sizeof(profile_filter[0])),
    .filter = (struct sock_filter *)profile_filter,
  };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#endif /* SECCOMP_PROFILE_H */
`;
}
