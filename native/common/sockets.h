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
/* KIND_SOCKET, KIND_LISTENER or KIND_STREAM for an open fd; -errno otherwise. */
int fd_kind(int fd);
#endif
