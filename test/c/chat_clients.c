/* Telnet chat clients in C for the chat server's tests (one thread, epoll), so the load is
 * real sockets at a rate a node:net client cannot reach. Prints one JSON line; exit 0 on success.
 *   chat_clients PORT burst N         N connects at once; each waits for the name prompt (or "full")
 *   chat_clients PORT chat N LINES    N users join; once all are in, each says LINES lines, and every
 *                                     user must hear every other's lines
 *   chat_clients PORT deaf NAME [LINE] joins as NAME with a tiny receive buffer, then never reads
 *                                     again (sending LINE over and over, if given) until it sees the
 *                                     server close the connection (a close's FIN waits behind the
 *                                     bytes the server's kernel still holds for it: without LINE,
 *                                     only a reset is seen) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS     60000
#define LINE_MAX_BYTES 8192
/* The deaf client's receive buffer: the kernel keeps the server's bytes in its own send buffer. */
#define DEAF_RCVBUF_BYTES 4096

enum { WAIT_PROMPT, WAIT_HELLO, JOINED, FULL, FAILED };

typedef struct {
  int fd;
  int state;
  long heard;
  size_t len;
  char line[LINE_MAX_BYTES];
} conn;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int open_conn(int port, int rcvbuf, int nonblock) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) {
    perror("socket");
    exit(2);
  }
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
    perror("connect");
    exit(2);
  }
  return fd;
}

static void say(conn *c, const char *text) {
  size_t n = strlen(text);
  if (send(c->fd, text, n, MSG_NOSIGNAL) != (ssize_t)n) c->state = FAILED;
}

/* Reads what arrived and moves the connection along (with no name, the prompt is the goal);
 * the prompt has no newline, so the unfinished line is searched too. */
static void on_readable(conn *c, const char *name) {
  char buf[65536];
  ssize_t n = recv(c->fd, buf, sizeof buf, 0);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    if (c->state != FULL) c->state = FAILED;
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (c->len < LINE_MAX_BYTES - 1) c->line[c->len++] = buf[i];
    c->line[c->len] = 0;
    if (c->state == WAIT_PROMPT && strstr(c->line, "name? ") && !name) c->state = JOINED;
    if (c->state == WAIT_PROMPT && strstr(c->line, "name? ")) {
      char text[64];
      snprintf(text, sizeof text, "%s\r\n", name);
      c->state = WAIT_HELLO;
      c->len = 0;
      say(c, text);
      continue;
    }
    if (buf[i] != '\n') continue;
    if (strstr(c->line, "server is full")) c->state = FULL;
    else if (c->state == WAIT_HELLO && strstr(c->line, "Hello, ")) c->state = JOINED;
    else if (c->state == JOINED && c->line[0] == '[') c->heard++;
    c->len = 0;
  }
}

static int count(conn *cs, int n, int state) {
  int k = 0;
  for (int i = 0; i < n; i++) k += cs[i].state == state;
  return k;
}

/* burst (lines == 0) or chat (lines > 0). */
static int crowd(int port, int n, int lines) {
  conn *cs = calloc((size_t)n, sizeof *cs);
  int ep = epoll_create1(0);
  double start = now_ms();
  for (int i = 0; i < n; i++) {
    cs[i].fd = open_conn(port, 0, 1);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
  }
  double joined_ms = -1;
  long expected = (long)n * (n - 1) * lines, heard = 0;
  struct epoll_event evs[256];
  for (;;) {
    int served = count(cs, n, JOINED);
    int settled = served + count(cs, n, FAILED) + count(cs, n, FULL);
    if (lines > 0 && joined_ms < 0 && served == n) {
      joined_ms = now_ms() - start;
      for (int i = 0; i < n; i++)
        for (int k = 0; k < lines; k++) {
          char text[64];
          snprintf(text, sizeof text, "u%d says %d\r\n", i, k);
          say(&cs[i], text);
        }
    }
    heard = 0;
    for (int i = 0; i < n; i++) heard += cs[i].heard;
    int done = lines == 0 ? settled == n : heard >= expected;
    if (done || (lines > 0 && count(cs, n, FAILED) > 0) || now_ms() - start > TIMEOUT_MS) {
      printf("{\"conns\":%d,\"served\":%d,\"full\":%d,\"failed\":%d,\"heard\":%ld,\"expected\":%ld,\"joinedMs\":%.1f,"
             "\"ms\":%.1f}\n",
             n, served, count(cs, n, FULL), count(cs, n, FAILED), heard, expected, joined_ms, now_ms() - start);
      return done && count(cs, n, FAILED) == 0 ? 0 : 1;
    }
    int k = epoll_wait(ep, evs, 256, 100);
    for (int i = 0; i < k; i++) {
      char name[16];
      snprintf(name, sizeof name, "u%u", evs[i].data.u32);
      on_readable(&cs[evs[i].data.u32], lines > 0 ? name : NULL);
    }
  }
}

static int deaf(int port, const char *name, const char *line) {
  conn c = {.fd = open_conn(port, DEAF_RCVBUF_BYTES, 0)};
  double start = now_ms();
  while (c.state == WAIT_PROMPT || c.state == WAIT_HELLO) on_readable(&c, name);
  printf("{\"joined\":%s}\n", c.state == JOINED ? "true" : "false");
  fflush(stdout);
  if (c.state != JOINED) return 1;
  long sent = 0;
  for (;;) {
    struct pollfd p = {.fd = c.fd, .events = POLLRDHUP | (line ? POLLOUT : 0)};
    int left = (int)(TIMEOUT_MS - (now_ms() - start));
    if (left <= 0 || poll(&p, 1, left) <= 0) break;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
      printf("{\"closedByServer\":true,\"sentBytes\":%ld,\"ms\":%.1f}\n", sent, now_ms() - start);
      return 0;
    }
    ssize_t n = send(c.fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) sent += n;
  }
  printf("{\"closedByServer\":false,\"sentBytes\":%ld,\"ms\":%.1f}\n", sent, now_ms() - start);
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[2], "burst") == 0) return crowd(atoi(argv[1]), atoi(argv[3]), 0);
  if (argc >= 5 && strcmp(argv[2], "chat") == 0) return crowd(atoi(argv[1]), atoi(argv[3]), atoi(argv[4]));
  if (argc >= 4 && strcmp(argv[2], "deaf") == 0) return deaf(atoi(argv[1]), argv[3], argc >= 5 ? argv[4] : NULL);
  fprintf(stderr, "usage: chat_clients PORT burst N | chat N LINES | deaf NAME [LINE]\n");
  return 2;
}
