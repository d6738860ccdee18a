/* libFuzzer target: parse_address (native/common/address.c), the parser of the hosts reactor.os
 * hands the shim. The input is a port (2 bytes) and a host text; an address it accepts must be
 * IPv4 or IPv6 of the right size and port, and read back the same from its own text; anything
 * else must be -EINVAL. Built with -fsanitize=fuzzer,address,undefined by scripts/build-harness.mjs;
 * run by test/shim-fuzz.test.ts over the seed corpus in test/native/corpus/parse_address. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/address.h"

enum { HOST_BYTES_MAX = 128 };

static void broken(const char *what, const char *host) {
  fprintf(stderr, "parse_address(\"%s\"): %s\n", host, what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  int port = data[0] | data[1] << 8;
  char host[HOST_BYTES_MAX + 1];
  size_t length = size - 2 < HOST_BYTES_MAX ? size - 2 : HOST_BYTES_MAX;
  memcpy(host, data + 2, length);
  host[length] = '\0';
  address a;
  socklen_t bytes = 0;
  int rc = parse_address(host, port, &a, &bytes);
  if (rc != 0) {
    if (rc != -EINVAL) broken("refused with a code other than -EINVAL", host);
    return 0;
  }
  int v4 = a.sa.sa_family == AF_INET;
  if (!v4 && a.sa.sa_family != AF_INET6) broken("accepted with no address family", host);
  if (bytes != (v4 ? sizeof a.v4 : sizeof a.v6)) broken("accepted with the wrong size", host);
  if (address_port(&a) != port) broken("accepted with another port", host);
  char text[INET6_ADDRSTRLEN];
  if (!inet_ntop(a.sa.sa_family, v4 ? (void *)&a.v4.sin_addr : (void *)&a.v6.sin6_addr, text, sizeof text))
    broken("accepted an address that has no text", host);
  address again;
  socklen_t again_bytes = 0;
  if (parse_address(text, port, &again, &again_bytes) != 0 || again_bytes != bytes || memcmp(&a, &again, bytes) != 0)
    broken("its own text reads back as another address", host);
  return 0;
}
