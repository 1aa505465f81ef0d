/*
 * The native launcher: the same job as launcher.ts, without booting Node and koffi (≈140 ms less
 * start-up for every trace). `npm run build` compiles it to dist/src/tracer/launcher when a C
 * compiler is present; otherwise the tracer uses launcher.ts. Keep the two in step.
 *
 * Protocol (src/tracer/job.ts): `launcher JOBFD STATUSFD`. STATUSFD is the status pipe: set
 * close-on-exec, write 'R' once running. JOBFD carries the job until EOF (header words, then
 * path\0 cwd\0 argv...\0 env...\0, the fds to keep and the raw struct sock_filter[]). The tracer picks
 * both numbers outside the fds the workload keeps. On failure it writes {"stage":"...","errno":N} on
 * STATUSFD and exits 127; a successful execve closes STATUSFD (EOF).
 * Between seccomp() and execve() it does nothing else: a filter that kills by default would
 * otherwise kill the launcher. An empty filter (the eBPF recorder's job) means no filter and no
 * no_new_privs: the workload starts exactly as a shell would start it.
 */
#define _GNU_SOURCE
#include <dirent.h>
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

#define JOB_MAGIC 0x324a5053u /* "SPJ2" */
#define HEADER_WORDS 8
/* Job flags, as job.ts says: chdir to cwd; install the filter without no_new_privs (needs CAP_SYS_ADMIN). */
#define JOB_CHDIR 1u
#define JOB_KEEP_PRIVILEGES 2u

static int status_fd = -1;

static void fail(const char *stage, int err) {
  char msg[96];
  int n = snprintf(msg, sizeof msg, "{\"stage\":\"%s\",\"errno\":%d}", stage, err);
  if (n > 0 && status_fd >= 0) (void)!write(status_fd, msg, (size_t)n);
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

static int fd_arg(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  return *s != '\0' && *end == '\0' && v >= 3 && v < 1048576 ? (int)v : -1;
}

int main(int argc0, char **argv0) {
  if (argc0 != 3) _exit(127);
  int job_fd = fd_arg(argv0[1]);
  status_fd = fd_arg(argv0[2]);
  if (job_fd < 0 || status_fd < 0) _exit(127);
  /* The status fd came through dup2, which cleared close-on-exec: set it again, so the workload does
   * not inherit it and a successful execve is seen as EOF. Then tell the tracer we are up. */
  fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  if (write(status_fd, "R", 1) != 1) _exit(127);

  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) fail("read", ENOMEM);
  for (;;) {
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (buf == NULL) fail("read", ENOMEM);
    }
    ssize_t n = read(job_fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read", errno);
    if (n == 0) break;
    len += (size_t)n;
  }
  close(job_fd);
  if (len == 0) _exit(127); /* no job: the tracer gave up before sending it */
  if (len < HEADER_WORDS * 4 || u32((unsigned char *)buf) != JOB_MAGIC) fail("job", EINVAL);
  uint32_t w[HEADER_WORDS];
  for (int i = 0; i < HEADER_WORDS; i++) w[i] = u32((unsigned char *)buf + 4 * i);
  uint32_t argc = w[1], envc = w[2], nkeep = w[3], flags = w[4], filter_len = w[7];
  uint64_t ignored = (uint64_t)w[6] << 32 | w[5];
  if (argc > len || envc > len || nkeep > len / 4 || filter_len > len || filter_len % 8 != 0 ||
      filter_len / 8 > 0xffff) {
    fail("job", EINVAL);
  }
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  char *path_cwd[2];
  size_t pos = HEADER_WORDS * 4;
  if (argv == NULL || envp == NULL) fail("job", ENOMEM);
  if (!take_strings(buf, len, &pos, path_cwd, 2) || !take_strings(buf, len, &pos, argv, argc) ||
      !take_strings(buf, len, &pos, envp, envc) || len - pos != (size_t)nkeep * 4 + filter_len) {
    fail("job", EINVAL);
  }
  const unsigned char *keep = (unsigned char *)buf + pos;
  pos += (size_t)nkeep * 4;
  /* A copy, so the instructions are aligned whatever the strings' lengths. */
  void *filter = malloc(filter_len > 0 ? filter_len : 1);
  if (filter == NULL) fail("job", ENOMEM);
  memcpy(filter, buf + pos, filter_len);
  struct sock_fprog prog = {(unsigned short)(filter_len / 8), (struct sock_filter *)filter};

  if ((flags & JOB_CHDIR) && chdir(path_cwd[1]) != 0) fail("chdir", errno);
  /* The fds the profiler inherited reach the workload at the same numbers (Node marked them
   * close-on-exec); every other fd is closed at execve: a stdio fd the profiler did not inherit
   * (Node put /dev/null there), and whatever else the tracing process had without close-on-exec. */
  for (uint32_t i = 0; i < nkeep; i++) {
    uint32_t fd = u32(keep + 4 * i);
    if (fd <= INT32_MAX) fcntl((int)fd, F_SETFD, 0);
  }
  DIR *dir = opendir("/proc/self/fd");
  if (dir != NULL) {
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      int fd = atoi(entry->d_name), kept = 0;
      for (uint32_t i = 0; i < nkeep && !kept; i++) kept = u32(keep + 4 * i) == (uint32_t)fd;
      if (!kept && fd != dirfd(dir)) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(dir);
  }
  /* Dispositions: what the profiler inherited ignored stays ignored (nohup, `trap '' INT`), every
   * other signal gets the default. Node ignores SIGPIPE/SIGXFSZ and resets what it inherited, we
   * ignore SIGUSR1, and glibc's posix_spawn leaves its internal signals 32/33 ignored; ignored
   * dispositions survive execve. A raw rt_sigaction, since glibc's sigaction refuses 32 and 33
   * (struct kernel_sigaction: handler, flags, restorer, mask; 8-byte sigset). */
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    unsigned long act[4] = {(ignored >> (sig - 1)) & 1 ? (unsigned long)SIG_IGN : (unsigned long)SIG_DFL, 0, 0, 0};
    syscall(SYS_rt_sigaction, sig, act, NULL, (size_t)8);
  }
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
