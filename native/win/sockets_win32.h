/* What the IOCP shim's Win32 side (os_win32.c) takes from the winsock socket helpers
 * (sockets_win32.c), so that both start winsock and shape a socket the same one way. */
#ifndef IO_REACTOR_SOCKETS_WIN_H
#define IO_REACTOR_SOCKETS_WIN_H
#include <winsock2.h>

/* WSAStartup, once per process: 0 or -errno. */
int winsock_ready(void);
/* A socket made elsewhere (AcceptEx's) becomes like the helpers' own: non-blocking, no Nagle. */
int sock_adopt(SOCKET s);
#endif
