/* Echo load generator for the net benchmark: one thread, epoll, `conns` connections each sending
 * `size` bytes and waiting for them to come back, for `seconds`; prints the round trips per
 * second. C, so the generator is never what saturates first.
 *   net-echo-load <port> <conns> <size> <seconds> */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536
#define MAX_CONNS 10000

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: net-echo-load <port> <conns> <size> <seconds>\n");
    return 2;
  }
  int port = atoi(argv[1]), conns = atoi(argv[2]), size = atoi(argv[3]);
  double seconds = atof(argv[4]);
  if (conns < 1 || conns > MAX_CONNS || size < 1 || size > MAX_SIZE) {
    fprintf(stderr, "conns must be 1..%d and size 1..%d\n", MAX_CONNS, MAX_SIZE);
    return 2;
  }
  static char out[MAX_SIZE], in[MAX_SIZE];
  static int got[MAX_CONNS];
  memset(out, 'x', sizeof out);
  int ep = epoll_create1(0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  for (int i = 0; i < conns; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
    ev.data.u64 = ((uint64_t)i << 32) | (uint32_t)fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    if (send(fd, out, size, 0) != size) { perror("send"); return 1; }
  }
  long trips = 0;
  struct epoll_event evs[1024];
  double start = now_s(), end = start + seconds;
  while (now_s() < end) {
    int n = epoll_wait(ep, evs, 1024, 100);
    for (int k = 0; k < n; k++) {
      int i = (int)(evs[k].data.u64 >> 32), fd = (int)(uint32_t)evs[k].data.u64;
      ssize_t r = recv(fd, in, sizeof in, 0);
      if (r <= 0) { fprintf(stderr, "connection %d ended (%s)\n", i, r == 0 ? "closed" : strerror(errno)); return 1; }
      got[i] += (int)r;
      while (got[i] >= size) {
        got[i] -= size;
        trips++;
        if (send(fd, out, size, 0) != size) { perror("send"); return 1; }
      }
    }
  }
  printf("%.0f\n", trips / (now_s() - start));
  return 0;
}
