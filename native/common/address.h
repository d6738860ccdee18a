/* Socket addresses for the socket helpers, POSIX and winsock alike: one parser of the numeric
 * hosts reactor.os accepts. */
#ifndef IO_REACTOR_ADDRESS_H
#define IO_REACTOR_ADDRESS_H
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

typedef union address {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} address;

/* "localhost", IPv4 or IPv6 text (no name lookup) and a port: 0 with the address and its size,
 * or -EINVAL. */
int parse_address(const char *host, int port, address *a, socklen_t *size_bytes);
/* The port of an IPv4 or IPv6 address, in host order. */
int address_port(const address *a);
#endif
