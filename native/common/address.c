/* Socket addresses (address.h), in the one form both socket helpers need. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#if !defined(_WIN32)
#include <arpa/inet.h>
#endif
#include "address.h"

int parse_address(const char *host, int port, address *a, socklen_t *size_bytes) {
  memset(a, 0, sizeof *a);
  if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
  if (inet_pton(AF_INET, host, &a->v4.sin_addr) == 1) {
    a->v4.sin_family = AF_INET;
    a->v4.sin_port = htons((uint16_t)port);
    *size_bytes = sizeof a->v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a->v6.sin6_addr) == 1) {
    a->v6.sin6_family = AF_INET6;
    a->v6.sin6_port = htons((uint16_t)port);
    *size_bytes = sizeof a->v6;
    return 0;
  }
  return -EINVAL;
}

int address_port(const address *a) { return ntohs(a->sa.sa_family == AF_INET ? a->v4.sin_port : a->v6.sin6_port); }
