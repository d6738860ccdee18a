/* Runs a command with io_uring refused, as a container's seccomp filter refuses it: io_uring_setup
 * fails with ENOSYS, or EPERM with --eperm. test/io-uring.test.ts runs Node under it.
 *   without_io_uring [--eperm] command [args...] */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "without_io_uring: add this architecture's AUDIT_ARCH"
#endif

int main(int argc, char **argv) {
  int refusal = ENOSYS, command = 1;
  if (argc > 1 && strcmp(argv[1], "--eperm") == 0) {
    refusal = EPERM;
    command = 2;
  }
  if (command >= argc) {
    fprintf(stderr, "usage: without_io_uring [--eperm] command [args...]\n");
    return 2;
  }
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)refusal & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    perror("without_io_uring: seccomp");
    return 1;
  }
  execvp(argv[command], argv + command);
  perror("without_io_uring: exec");
  return 127;
}
