/* Host capability probe for the test suite (test/support/host-probe.ts compiles and runs it once).
 * usage: probe int80|x32|syscall-info|seccomp|new-syscalls
 * Exit 0 and one line on stdout when the capability works; any other ending (exit code, signal)
 * is the reason it does not.
 *   int80         an i386 getpid through `int $0x80` returns our pid (IA-32 emulation is on)
 *   x32           getpid with __X32_SYSCALL_BIT returns our pid (the x32 ABI is on)
 *   syscall-info  PTRACE_GET_SYSCALL_INFO answers at a PTRACE_O_TRACESYSGOOD syscall stop (Linux 5.3+)
 *   seccomp       a child can set NO_NEW_PRIVS, load a filter and have it act (ERRNO on getppid)
 *   new-syscalls  cachestat (451), fchmodat2 (452), futex_wake (454), lsm_get_self_attr (459) and
 *                 mseal (462) exist: none answers ENOSYS (Linux 6.10 and later) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long raw_int80(long nr) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
  return ret;
}

static int probe_int80(void) {
  long pid = raw_int80(20); /* i386 getpid */
  if (pid != getpid()) {
    printf("int 0x80 getpid returned %ld\n", pid);
    return 1;
  }
  printf("int 0x80 ok\n");
  return 0;
}

static int probe_x32(void) {
  long pid = syscall(0x40000000L | 39); /* x32 getpid */
  if (pid != getpid()) {
    printf("x32 getpid returned %ld (%s)\n", pid, strerror(errno));
    return 1;
  }
  printf("x32 ok\n");
  return 0;
}

static int probe_syscall_info(void) {
  pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) _exit(3);
    raise(SIGSTOP);
    getppid();
    _exit(0);
  }
  int status;
  if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 4;
  ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
  ptrace(PTRACE_SYSCALL, child, 0, 0);
  if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 5;
  struct __ptrace_syscall_info info;
  memset(&info, 0, sizeof info);
  long n = ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof info, &info);
  int err = errno;
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  if (n <= 0 || info.op != PTRACE_SYSCALL_INFO_ENTRY) {
    printf("PTRACE_GET_SYSCALL_INFO: %s\n", n <= 0 ? strerror(err) : "no entry stop");
    return 1;
  }
  printf("PTRACE_GET_SYSCALL_INFO ok\n");
  return 0;
}

static int probe_seccomp(void) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    printf("PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
    return 1;
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    printf("seccomp(SECCOMP_SET_MODE_FILTER): %s\n", strerror(errno));
    return 1;
  }
  errno = 0;
  long r = syscall(SYS_getppid);
  if (r != -1 || errno != 77) {
    printf("the filter did not act: getppid returned %ld\n", r);
    return 1;
  }
  printf("seccomp ok\n");
  return 0;
}

static int probe_new_syscalls(void) {
  static const struct {
    long nr;
    const char *name;
  } calls[] = {{451, "cachestat"}, {452, "fchmodat2"}, {454, "futex_wake"}, {459, "lsm_get_self_attr"}, {462, "mseal"}};
  for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
    /* Arguments that are harmless where the call exists: bad fds, a null address, zero sizes. */
    errno = 0;
    long r = syscall(calls[i].nr, -1L, 0L, 0L, 0L, 0L, 0L);
    if (r == -1 && errno == ENOSYS) {
      printf("%s (%ld) answers ENOSYS\n", calls[i].name, calls[i].nr);
      return 1;
    }
  }
  printf("new syscalls ok\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "int80")) return probe_int80();
  if (!strcmp(mode, "x32")) return probe_x32();
  if (!strcmp(mode, "syscall-info")) return probe_syscall_info();
  if (!strcmp(mode, "seccomp")) return probe_seccomp();
  if (!strcmp(mode, "new-syscalls")) return probe_new_syscalls();
  fprintf(stderr, "usage: probe int80|x32|syscall-info|seccomp|new-syscalls\n");
  return 2;
}
