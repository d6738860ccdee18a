// The echo benchmark's load generator: one thread, epoll, N connections to 127.0.0.1:port, each in
// ping-pong (send `size` bytes, wait for the same bytes back, compare every one, send again).
// After a warm-up it counts round trips for `duration` seconds and prints one JSON line: the rate,
// p50/p99 latency, and the CPU of itself, of the server (/proc/<pid>/stat) and of the machine.
// With --round-trips N there is no warm-up and no clock: each connection does exactly N round trips,
// all counted, then it reports (for counts that a clock does not change, such as instructions).
//   echo_loadgen --port P [--conns 100] [--size 64] [--warmup 0.5] [--duration 2] [--server-pid PID]
//   echo_loadgen --port P [--conns 100] [--size 64] --round-trips N [--server-pid PID]
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

enum { CONNS_MAX = 20000, MESSAGE_MAX_BYTES = 1 << 20, EVENTS_MAX = 1024, WAIT_MS = 5 };
/** 1 µs latency buckets up to 1 s; slower round trips land in the last one. */
enum { HISTOGRAM_BUCKETS = 1000000 };
/** Each message starts at another offset of one pattern, so a stale or misplaced echo differs. */
enum { PATTERN_OFFSETS = 251 };
/** After the window, how long the last echoes may take to come home before the connections close. */
static const double DRAIN_S = 0.5;
/** With --round-trips, how long without any echo before the run fails instead of waiting forever. */
static const double STALL_S = 30;
enum { ROUND_TRIPS_MAX = 1000000000 };

typedef struct {
  int fd;
  uint32_t round;   // messages sent so far: picks the pattern offset of the current one
  size_t sent;      // bytes of the current message written
  size_t got;       // bytes of its echo received
  double sent_at_s;
} conn_t;

static uint8_t *pattern;
static uint8_t *received;
static size_t size;
static uint32_t histogram[HISTOGRAM_BUCKETS];
static uint64_t round_trips, bad_echoes, socket_errors;
static const char *failure;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/** CPU seconds of a process's threads as the scheduler counts them, in nanoseconds
 * (/proc/PID/task/TID/schedstat); -1 when the kernel does not keep them. */
static double scheduled_cpu_s(long pid) {
  char path[96];
  snprintf(path, sizeof path, "/proc/%ld/task", pid);
  DIR *tasks = opendir(path);
  if (!tasks) return -1;
  unsigned long long ns = 0;
  int found = 0;
  for (struct dirent *t; (t = readdir(tasks));) {
    if (t->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/%ld/task/%.32s/schedstat", pid, t->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;   // the thread ended meanwhile
    unsigned long long run;
    if (fscanf(f, "%llu", &run) == 1) ns += run, found = 1;
    fclose(f);
  }
  closedir(tasks);
  return found ? ns / 1e9 : -1;
}

/** CPU seconds (user + system, all threads) of a process; -1 when unknown. The scheduler's own
 * count where there is one: /proc/PID/stat counts in clock ticks (10 ms), which blur a short
 * window of a server that gets a fraction of its core on a busy machine. */
static double process_cpu_s(long pid) {
  double scheduled = scheduled_cpu_s(pid);
  if (scheduled >= 0) return scheduled;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  // The command name may hold spaces: count fields from its closing parenthesis (utime is the 14th).
  char *p = strrchr(buf, ')');
  unsigned long utime, stime;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/** CPU seconds all cores of the machine spent busy; -1 when unknown. */
static double machine_cpu_s(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait, &irq,
                 &softirq, &steal);
  fclose(f);
  if (n != 8) return -1;
  return (double)(user + nice + system + irq + softirq + steal) / sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void record_latency(double seconds) {
  double us = seconds * 1e6;
  size_t b = us >= HISTOGRAM_BUCKETS - 1 ? HISTOGRAM_BUCKETS - 1 : (size_t)us;
  histogram[b]++;
}

/** The latency (µs, bucket upper bound) below which `p` of the samples fall; -1 when none. */
static long percentile_us(double p) {
  if (round_trips == 0) return -1;
  uint64_t rank = (uint64_t)(p * round_trips + 0.999999), seen = 0;
  if (rank == 0) rank = 1;
  for (size_t b = 0; b < HISTOGRAM_BUCKETS; b++) {
    seen += histogram[b];
    if (seen >= rank) return (long)b + 1;
  }
  return HISTOGRAM_BUCKETS;
}

static const uint8_t *message(const conn_t *c) { return pattern + c->round % PATTERN_OFFSETS; }

/** Writes what the kernel takes of the current message: 0 when written or waiting for room, -1 on error. */
static int push(conn_t *c) {
  while (c->sent < size) {
    ssize_t n = send(c->fd, message(c) + c->sent, size - c->sent, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    c->sent += (size_t)n;
  }
  return 0;
}

static int ping(conn_t *c, double now) {
  c->round++;
  c->sent = 0;
  c->got = 0;
  c->sent_at_s = now;
  return push(c);
}

/** Reads the echo: 1 when the whole message came back intact, 0 when more is to come, -1 on error. */
static int pull(conn_t *c) {
  for (;;) {
    if (c->got == size) return 1;
    ssize_t n = recv(c->fd, received + c->got, size - c->got, 0);
    if (n == 0) {
      failure = "the server closed a connection mid-run";
      return -1;
    }
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (c->got + (size_t)n > c->sent) {
      failure = "the server echoed bytes before they were sent";
      bad_echoes++;
      return -1;
    }
    if (memcmp(received + c->got, message(c) + c->got, (size_t)n) != 0) {
      failure = "an echo differed from the message sent";
      bad_echoes++;
      return -1;
    }
    c->got += (size_t)n;
  }
}

static int open_conn(int ep, const struct sockaddr_in *addr, conn_t *c) {
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0) return -1;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A blocking connect: the kernel completes a loopback handshake without the server's accept.
  if (connect(c->fd, (const struct sockaddr *)addr, sizeof *addr) < 0) return -1;
  if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0) return -1;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
  return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static double number_arg(int argc, char **argv, const char *flag, double fallback, double min, double max) {
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], flag) != 0) continue;
    char *end;
    double v = strtod(argv[i + 1], &end);
    if (*end || v < min || v > max) {
      fprintf(stderr, "echo_loadgen: %s must be a number from %g to %g, got %s\n", flag, min, max, argv[i + 1]);
      exit(2);
    }
    return v;
  }
  return fallback;
}

static int has_flag(int argc, char **argv, const char *flag) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], flag) == 0) return 1;
  return 0;
}

/** Lets the process hold every connection: the soft fd limit up to the hard one. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int main(int argc, char **argv) {
  int port = (int)number_arg(argc, argv, "--port", 0, 1, 65535);
  int conns = (int)number_arg(argc, argv, "--conns", 100, 1, CONNS_MAX);
  size = (size_t)number_arg(argc, argv, "--size", 64, 1, MESSAGE_MAX_BYTES);
  double warmup_s = number_arg(argc, argv, "--warmup", 0.5, 0, 60);
  double duration_s = number_arg(argc, argv, "--duration", 2, 0.05, 600);
  long server_pid = (long)number_arg(argc, argv, "--server-pid", 0, 0, 1 << 30);
  double each = number_arg(argc, argv, "--round-trips", 0, 1, ROUND_TRIPS_MAX);
  uint32_t round_trips_each = (uint32_t)each;
  if (round_trips_each != each) {
    fprintf(stderr, "echo_loadgen: --round-trips must be a whole number, got %g\n", each);
    return 2;
  }
  if (round_trips_each && (has_flag(argc, argv, "--warmup") || has_flag(argc, argv, "--duration"))) {
    fprintf(stderr,
            "echo_loadgen: --round-trips counts round trips instead of timing them: drop --warmup and --duration\n");
    return 2;
  }
  if (port == 0) {
    fprintf(stderr, "echo_loadgen: --port P is required (the echo server's port on 127.0.0.1)\n");
    return 2;
  }
  raise_fd_limit();
  pattern = malloc(size + PATTERN_OFFSETS);
  received = malloc(size);
  conn_t *all = calloc((size_t)conns, sizeof *all);
  if (!pattern || !received || !all) return 1;
  for (size_t i = 0; i < size + PATTERN_OFFSETS; i++) pattern[i] = (uint8_t)(i * 7 + i / 256);

  int ep = epoll_create1(0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  double connect_start = now_s();
  int opened = 0;
  for (; opened < conns && !failure; opened++) {
    if (open_conn(ep, &addr, &all[opened]) < 0) failure = "connect failed";
  }
  double connect_ms = (now_s() - connect_start) * 1000;
  for (int i = 0; i < opened && !failure; i++) {
    if (ping(&all[i], now_s()) < 0) failure = "send failed";
  }

  enum { WARMUP, MEASURE, DRAIN } phase = WARMUP;
  double t0 = 0, t1 = 0, self0 = 0, server0 = 0, machine0 = 0, self1 = 0, server1 = 0, machine1 = 0;
  double phase_end = now_s() + warmup_s;
  if (round_trips_each) {
    phase = MEASURE;
    t0 = now_s();
    self0 = self_cpu_s(), server0 = process_cpu_s(server_pid), machine0 = machine_cpu_s();
    phase_end = INFINITY;
  }
  double last_echo_s = now_s();
  uint64_t outstanding = (uint64_t)opened;
  struct epoll_event events[EVENTS_MAX];
  while (!failure) {
    double now = now_s();
    if (round_trips_each && outstanding == 0) {
      t1 = now;
      self1 = self_cpu_s(), server1 = process_cpu_s(server_pid), machine1 = machine_cpu_s();
      break;
    }
    if (round_trips_each && now - last_echo_s > STALL_S) {
      static char stalled[64];
      snprintf(stalled, sizeof stalled, "no echo came back for %g s", STALL_S);
      failure = stalled;
      break;
    }
    if (now >= phase_end) {
      if (phase == WARMUP) {
        phase = MEASURE;
        t0 = now;
        self0 = self_cpu_s(), server0 = process_cpu_s(server_pid), machine0 = machine_cpu_s();
        phase_end = now + duration_s;
      } else if (phase == MEASURE) {
        phase = DRAIN;
        t1 = now;
        self1 = self_cpu_s(), server1 = process_cpu_s(server_pid), machine1 = machine_cpu_s();
        phase_end = now + DRAIN_S;
      } else break;
    }
    if (phase == DRAIN && outstanding == 0) break;
    int n = epoll_wait(ep, events, EVENTS_MAX, WAIT_MS);
    if (n < 0 && errno != EINTR) failure = "epoll_wait failed";
    for (int i = 0; i < n && !failure; i++) {
      conn_t *c = events[i].data.ptr;
      if (push(c) < 0 || (events[i].events & EPOLLERR)) {
        socket_errors++;
        failure = "a connection failed";
        break;
      }
      int r = pull(c);
      if (r < 0) {
        if (!failure) {
          socket_errors++;
          failure = "recv failed";
        }
        break;
      }
      if (r == 0) continue;
      double done = now_s();
      last_echo_s = done;
      outstanding--;
      if (phase == MEASURE) {
        round_trips++;
        record_latency(done - c->sent_at_s);
      }
      if (phase == DRAIN || c->round == round_trips_each) continue;
      outstanding++;
      if (ping(c, done) < 0) {
        socket_errors++;
        failure = "send failed";
      }
    }
  }
  for (int i = 0; i < opened; i++) close(all[i].fd);
  if (!failure && round_trips == 0) failure = "no round trip completed";
  double seconds = t1 - t0;
  int ok = failure == NULL;
  printf("{\"ok\":%s,", ok ? "true" : "false");
  if (!ok) printf("\"error\":\"%s after %d of %d connections opened\",", failure, opened, conns);
  printf("\"conns\":%d,\"size\":%zu,\"seconds\":%.6f,\"roundTrips\":%llu,\"rate\":%.3f,\"p50us\":%ld,\"p99us\":%ld,",
         conns, size, seconds, (unsigned long long)round_trips, seconds > 0 ? round_trips / seconds : 0,
         percentile_us(0.5), percentile_us(0.99));
  printf("\"loadCpu\":%.4f,\"serverCpu\":%.4f,\"machineCpu\":%.4f,\"connectMs\":%.3f,\"socketErrors\":%llu,"
         "\"badEchoes\":%llu}\n",
         seconds > 0 ? (self1 - self0) / seconds : 0,
         seconds > 0 && server0 >= 0 && server1 >= 0 ? (server1 - server0) / seconds : -1,
         seconds > 0 && machine0 >= 0 ? (machine1 - machine0) / seconds : -1, connect_ms,
         (unsigned long long)socket_errors, (unsigned long long)bad_echoes);
  return ok ? 0 : 1;
}
