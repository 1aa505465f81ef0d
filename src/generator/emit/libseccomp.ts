// `libseccomp`: one self-contained C file that builds the same policy with the libseccomp API.
// `gcc file.c -lseccomp` gives an object with profile_build(); with -DMAIN a program that loads it
// and execs its argv.

import { errnoName } from '../../arch/errno.js';
import { type Arch, syscallName } from '../../arch/index.js';
import { SCMP_ARCH } from '../../arch/scmp.js';
import { actionFact } from '../../arch/seccomp.js';
import { SCMP_CMP } from '../policy/scmp-ops.js';
import { type Action, type Condition, type Policy, sameAction } from '../policy/types.js';
import { rangeNotes } from './by-name.js';
import { provenanceComment } from './provenance.js';

function cAction(a: Action): string {
  const name = actionFact(a.kind).scmp;
  switch (a.kind) {
    case 'errno':
      return `${name}(${errnoName(a.errno) ?? a.errno})`;
    case 'trace':
      return `${name}(${a.data ?? 0})`;
    default:
      return name;
  }
}

function hex(v: bigint, arch: Arch): string {
  const x = arch === 'i386' ? v & 0xffffffffn : v;
  return `0x${x.toString(16)}ULL`;
}

function cCond(c: Condition, arch: Arch): string {
  const b = c.op === 'MASKED_EQ' ? (c.valueTwo ?? 0n) : 0n;
  return `{${c.arg}, ${SCMP_CMP[c.op]}, ${hex(c.value, arch)}, ${hex(b, arch)}}`;
}

export function emitLibseccomp(policy: Policy): string {
  const def = cAction(policy.defaultAction);
  const tables: string[] = [];
  const builds: string[] = [];
  for (const arch of policy.arches) {
    const rows: string[] = [];
    for (const rule of policy.rules[arch] ?? []) {
      // libseccomp refuses rules whose action is the default; they change nothing.
      if (sameAction(rule.action, policy.defaultAction)) continue;
      const conds = rule.conditions.map((c) => cCond(c, arch));
      // A number without a name (recorded by number) goes in by number: NULL name.
      const name = syscallName(arch, rule.nr) === rule.syscall ? `"${rule.syscall}"` : 'NULL';
      rows.push(`  {${name}, ${rule.nr}, ${cAction(rule.action)}, ${conds.length}, {${conds.join(', ')}}},`);
    }
    tables.push(
      `static const struct profile_rule rules_${arch}[] = {\n${rows.join('\n')}\n  {NULL, -1, 0, 0, {{0}}}\n};`,
    );
    builds.push(`  if (add_arch(&ctx, ${SCMP_ARCH[arch]}, rules_${arch}) < 0) goto fail;`);
  }
  return `/*
${provenanceComment(policy, ' *', rangeNotes(policy, false, 'libseccomp'))}
 *
 * Build: gcc -DMAIN profile.c -lseccomp -o profile-exec && ./profile-exec COMMAND [ARG...]
 * Without -DMAIN, link it into your program and call profile_build() and seccomp_load().
 * Each ABI gets its own filter context (rules can differ per ABI), merged into one.
 * Calls from ABIs not listed are killed (SCMP_FLTATR_ACT_BADARCH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct profile_rule {
  const char *name; /* NULL: a number without a name, added by number */
  int nr; /* the number on this ABI, for a libseccomp too old to know the name; -1 ends a table */
  uint32_t action;
  unsigned int count;
  struct scmp_arg_cmp cmp[6];
};

${tables.join('\n\n')}

static scmp_filter_ctx new_ctx(uint32_t arch) {
  scmp_filter_ctx ctx = seccomp_init(${def});
  if (!ctx) return NULL;
  if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
      (arch != seccomp_arch_native() &&
       (seccomp_arch_add(ctx, arch) < 0 || seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) < 0))) {
    seccomp_release(ctx);
    return NULL;
  }
  return ctx;
}

/*
 * Adds one ABI's rules; syscall names are resolved by libseccomp for that ABI. libseccomp takes raw
 * numbers on the native ABI only: a number it cannot name on another ABI fails the build rather than
 * give the workload a narrower filter than the profile.
 */
static int add_arch(scmp_filter_ctx *all, uint32_t arch, const struct profile_rule *rules) {
  scmp_filter_ctx ctx = new_ctx(arch);
  if (!ctx) return -ENOMEM;
  for (const struct profile_rule *r = rules; r->name || r->nr >= 0; r++) {
    int nr = r->name ? seccomp_syscall_resolve_name(r->name) : __NR_SCMP_ERROR;
    if (nr == __NR_SCMP_ERROR) {
      if (arch != seccomp_arch_native() && !r->name) {
        fprintf(stderr, "profile: syscall %d has no name; libseccomp adds numbers on the native ABI only\\n", r->nr);
        seccomp_release(ctx);
        return -EINVAL;
      }
      if (arch != seccomp_arch_native()) {
        fprintf(stderr, "profile: this libseccomp does not know %s; it gets the default action\\n", r->name);
        continue;
      }
      nr = r->nr;
    }
    int rc = seccomp_rule_add_exact_array(ctx, r->action, nr, r->count, r->cmp);
    if (rc < 0) {
      fprintf(stderr, "profile: cannot add rule for syscall %d (%s): %s\\n", r->nr, r->name ? r->name : "no name", strerror(-rc));
      seccomp_release(ctx);
      return rc;
    }
  }
  if (!*all) {
    *all = ctx;
    return 0;
  }
  int rc = seccomp_merge(*all, ctx);
  if (rc < 0) seccomp_release(ctx);
  return rc;
}

/* The policy as a libseccomp filter context (NULL on failure, with a message on stderr). */
scmp_filter_ctx profile_build(void) {
  scmp_filter_ctx ctx = NULL;
${builds.join('\n')}
  return ctx;
fail:
  if (ctx) seccomp_release(ctx);
  return NULL;
}

#ifdef MAIN
int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s COMMAND [ARG...]\\n", argv[0]);
    return 2;
  }
  scmp_filter_ctx ctx = profile_build();
  if (!ctx) return 70;
  int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc < 0) {
    fprintf(stderr, "profile: seccomp_load: %s\\n", strerror(-rc));
    return 69;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "profile: cannot run %s: %s\\n", argv[1], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
#endif
`;
}
