/* Socket helpers for users and tests: non-blocking stream sockets by fd. Each returns >= 0 on
 * success or -errno. */
#ifndef IO_REACTOR_SOCKETS_H
#define IO_REACTOR_SOCKETS_H
#include <stddef.h>
#include <stdint.h>

int sock_pair(int fds[2]);
int sock_listen(const char *host, int port, int backlog, int *bound_port);
int sock_connect(const char *host, int port);
int sock_accept(int fd);
long sock_send(int fd, const void *data, size_t len);
long sock_recv(int fd, void *buf, size_t len);
int sock_shutdown(int fd);
int sock_close(int fd);
/* Room for any address's text: an IPv6 address with an embedded IPv4 one, and its NUL. */
#define SOCK_NAME_TEXT_BYTES 46
/* fd's own address (getsockname), or with `peer` its peer's (getpeername): its text into `text`
 * (SOCK_NAME_TEXT_BYTES long) and its port; 0, or -errno (-EOPNOTSUPP for a socket without an IP
 * address, such as a local socket pair). */
int sock_name(int fd, int peer, char text[SOCK_NAME_TEXT_BYTES], int *port);
/* KIND_SOCKET, KIND_LISTENER or KIND_STREAM for an open fd; -errno otherwise. */
int fd_kind(int fd);
#endif
