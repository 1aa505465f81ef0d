/* A workload for the consumer tests: opens and closes an AF_UNIX socket, prints "ok". With `forbidden` it first makes one syscall its
 * recording never saw (acct(NULL): harmless, never made by libc); with `wx` it maps memory writable
 * and executable, which the recorded run never did (W^X); with `inet` it opens an AF_INET socket (a
 * domain never recorded); with `junk` it opens its AF_UNIX socket with junk in the high half of the
 * int-typed domain register, which the kernel ignores and the filter must too. Built at test time. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  long domain = AF_UNIX;
  if (strcmp(mode, "inet") == 0) domain = AF_INET;
  if (strcmp(mode, "junk") == 0) domain = (long)(0xdead0000UL << 16) | AF_UNIX;
  long fd = syscall(SYS_socket, domain, SOCK_STREAM, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  close((int)fd);
  if (argc > 1 && strcmp(argv[1], "forbidden") == 0) {
    long rc = syscall(SYS_acct, NULL);
    printf("acct returned %ld\n", rc);
  }
  if (argc > 1 && strcmp(argv[1], "wx") == 0) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap returned %p\n", p);
  }
  puts("ok");
  return 0;
}
