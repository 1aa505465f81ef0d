/* A workload for the consumer tests: prints "ok". With `forbidden` it first makes one syscall its
 * recording never saw (acct(NULL): harmless, never made by libc); with `wx` it maps memory writable
 * and executable, which the recorded run never did (W^X). Built with gcc at test time. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
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
