/*
 * The native launcher: the same job as launcher.ts, without booting Node and koffi (≈140 ms less
 * start-up for every trace). `npm run build` compiles it to dist/src/tracer/launcher when a C
 * compiler is present; otherwise the tracer uses launcher.ts. Keep the two in step.
 *
 * Protocol (src/tracer/job.ts): fd 4 is the status pipe: set close-on-exec, write 'R' once running.
 * fd 3 carries the job until EOF: u32 argc, u32 envc, u32 filter bytes, u32 flags (little-endian), then
 * path\0 cwd\0 argv[0]\0 ... env[0]\0 ... and the raw struct sock_filter[]. On failure it writes
 * {"stage":"...","errno":N} on fd 4 and exits 127; a successful execve closes fd 4 (EOF).
 * Between seccomp() and execve() it does nothing else: a filter that kills by default would
 * otherwise kill the launcher. An empty filter (the eBPF recorder's job) means no filter and no
 * no_new_privs: the workload starts exactly as a shell would start it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define JOB_FD 3
#define STATUS_FD 4
/* Job flag: install the filter without no_new_privs (needs CAP_SYS_ADMIN), as job.ts says. */
#define JOB_KEEP_PRIVILEGES 1u

static void fail(const char *stage, int err) {
  char msg[96];
  int n = snprintf(msg, sizeof msg, "{\"stage\":\"%s\",\"errno\":%d}", stage, err);
  if (n > 0) (void)!write(STATUS_FD, msg, (size_t)n);
  _exit(127);
}

static uint32_t u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Points strs[0..count) at consecutive NUL-terminated strings from *pos; 0 if the job is cut short. */
static int take_strings(char *buf, size_t len, size_t *pos, char **strs, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    char *end = memchr(buf + *pos, '\0', len - *pos);
    if (end == NULL) return 0;
    strs[i] = buf + *pos;
    *pos = (size_t)(end - buf) + 1;
  }
  return 1;
}

int main(void) {
  /* fd 4 came through dup2, which cleared close-on-exec: set it again, so the workload does not
   * inherit it and a successful execve is seen as EOF. Then tell the tracer we are up. */
  fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
  if (write(STATUS_FD, "R", 1) != 1) _exit(127);

  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) fail("read", ENOMEM);
  for (;;) {
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (buf == NULL) fail("read", ENOMEM);
    }
    ssize_t n = read(JOB_FD, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read", errno);
    if (n == 0) break;
    len += (size_t)n;
  }
  close(JOB_FD);
  if (len == 0) _exit(127); /* no job: the tracer gave up before sending it */
  if (len < 16) fail("job", EINVAL);
  uint32_t argc = u32((unsigned char *)buf), envc = u32((unsigned char *)buf + 4);
  uint32_t filter_len = u32((unsigned char *)buf + 8), flags = u32((unsigned char *)buf + 12);
  if (argc > len || envc > len || filter_len > len || filter_len % 8 != 0 ||
      filter_len / 8 > 0xffff) {
    fail("job", EINVAL);
  }
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  char *path_cwd[2];
  size_t pos = 16;
  if (argv == NULL || envp == NULL) fail("job", ENOMEM);
  if (!take_strings(buf, len, &pos, path_cwd, 2) || !take_strings(buf, len, &pos, argv, argc) ||
      !take_strings(buf, len, &pos, envp, envc) || len - pos != filter_len) {
    fail("job", EINVAL);
  }
  /* A copy, so the instructions are aligned whatever the strings' lengths. */
  void *filter = malloc(filter_len > 0 ? filter_len : 1);
  if (filter == NULL) fail("job", ENOMEM);
  memcpy(filter, buf + pos, filter_len);
  struct sock_fprog prog = {(unsigned short)(filter_len / 8), (struct sock_filter *)filter};

  if (chdir(path_cwd[1]) != 0) fail("chdir", errno);
  /* Node marks 0-2 close-on-exec and ignores SIGPIPE/SIGXFSZ in the tracing process; ignored
   * dispositions and the signal mask survive posix_spawn and execve, so give the workload what it
   * would get from a shell. */
  for (int fd = 0; fd <= 2; fd++) fcntl(fd, F_SETFD, 0);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGXFSZ, SIG_DFL);
  /* glibc's posix_spawn (the tracer's) leaves its internal signals 32 and 33 ignored in the child
   * (they are blocked while it runs), and glibc's sigaction refuses them: reset them with the raw
   * syscall (struct kernel_sigaction: handler SIG_DFL, flags, restorer, mask; 8-byte sigset). */
  unsigned long dfl[4] = {0, 0, 0, 0};
  for (int sig = 32; sig <= 33; sig++) syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)8);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  if (filter_len > 0) {
    if (!(flags & JOB_KEEP_PRIVILEGES) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("prctl", errno);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) fail("seccomp", errno);
  }
  execve(path_cwd[0], argv, envp);
  fail("execve", errno);
}
