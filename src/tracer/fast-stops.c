/*
 * The trace loop's hot path in C (see fast-stops.ts): resume the last tracee, wait for the next
 * stop, read a seccomp stop's call, and, when it is one the JavaScript loop has already handled for
 * that thread and has nothing more to do with than count, count it and go on, without returning to
 * JavaScript. Each koffi call costs ≈ 0.6 µs here; the JavaScript loop makes three per stop (waitpid,
 * PTRACE_GET_SYSCALL_INFO, PTRACE_CONT), this makes one per batch of stops.
 *
 * Everything it decides by is written by the JavaScript loop into `struct fast_ctx`, in native
 * memory both sides share: which x86-64 numbers may be counted here (seen before, no argument
 * capture, no special handling), and a small cache of thread → counter array for the threads the
 * loop has seen make a plain call since the last event of any other kind. Anything else (another
 * ABI, an unknown thread, any non-seccomp stop, an error) is returned to JavaScript untouched, with
 * the wait status and the PTRACE_GET_SYSCALL_INFO result where the loop reads them.
 *
 * Built by scripts/post-build.mjs (cc -O2 -shared -fPIC) when a C compiler is present; without it
 * the loop keeps its JavaScript path, which does the same work.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#define OP_SECCOMP 3
#define AUDIT_ARCH_X86_64 0xc000003eu
#define EVENT_SECCOMP 7
#define INFO_SIZE 88
#define NR_SLOTS 1024
#define CACHE_SLOTS 64
#define ABI_VERSION 1

struct cache_entry {
  int32_t tid;
  int32_t pad;
  double *counts; /* the x86-64 row of the thread's executable's counters */
};

struct fast_ctx {
  int32_t *status;      /* the loop's wait-status word */
  uint8_t *info;        /* the loop's struct ptrace_syscall_info */
  int32_t info_result;  /* PTRACE_GET_SYSCALL_INFO's return for the stop handed back */
  int32_t info_errno;   /* its errno when that failed */
  int32_t budget;       /* stops counted here before handing control back (abort checks) */
  int32_t pad;
  double handled;       /* stops counted here, in all */
  uint8_t fast_nr[NR_SLOTS];
  struct cache_entry cache[CACHE_SLOTS];
};

int fast_stops_version(void) { return ABI_VERSION; }
int fast_stops_ctx_size(void) { return (int)sizeof(struct fast_ctx); }
/* The address of a buffer koffi passes by reference (a typed array's backing store). */
uint64_t fast_stops_address(void *p) { return (uint64_t)(uintptr_t)p; }

/*
 * Resumes `cont_pid` (> 0) with PTRACE_CONT, then waits as waitpid(-1, status, options) does.
 * Returns the pid of a stop the loop must handle (a seccomp stop: info and info_result filled), 0
 * when WNOHANG found nothing, -1 with errno when waitpid failed, or -2 when `budget` stops were
 * counted here and none is left to hand back.
 */
long fast_stops_pump(struct fast_ctx *c, int cont_pid, int options) {
  if (cont_pid > 0) ptrace(PTRACE_CONT, cont_pid, 0, 0);
  int budget = c->budget;
  for (;;) {
    pid_t pid = waitpid(-1, c->status, options);
    if (pid <= 0) return pid;
    int st = *c->status;
    if ((st & 0xff) != 0x7f || (st >> 16) != EVENT_SECCOMP) return pid;
    long r = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)INFO_SIZE, c->info);
    c->info_result = (int32_t)r;
    c->info_errno = r > 0 ? 0 : errno;
    if (r <= 0 || c->info[0] != OP_SECCOMP) return pid;
    uint32_t arch = *(uint32_t *)(c->info + 4);
    uint64_t nr = *(uint64_t *)(c->info + 24);
    if (arch != AUDIT_ARCH_X86_64 || nr >= NR_SLOTS || !c->fast_nr[nr]) return pid;
    struct cache_entry *e = &c->cache[pid & (CACHE_SLOTS - 1)];
    if (e->tid != pid || e->counts == 0) return pid;
    e->counts[nr] += 1;
    c->handled += 1;
    ptrace(PTRACE_CONT, pid, 0, 0);
    if (--budget <= 0) return -2;
  }
}
