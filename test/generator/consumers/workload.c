/* A workload for the consumer tests: prints "ok" and, with `forbidden`, makes one syscall its
 * recording never saw (acct(NULL): harmless, never made by libc). Built with gcc at test time. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "forbidden") == 0) {
    long rc = syscall(SYS_acct, NULL);
    printf("acct returned %ld\n", rc);
  }
  puts("ok");
  return 0;
}
