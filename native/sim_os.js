// emscripten JS library: the shim's OS calls (native/os.h), answered by the simulated kernel
// that the host passes in as Module.kernel (src/sim/kernel.ts).
mergeInto(LibraryManager.library, {
  os_accept: function(fd) { return Module.kernel.accept(fd); },
  os_read: function(fd, stream, buf, len) { return Module.kernel.readInto(fd, buf >>> 0, len); },
  os_write: function(fd, stream, buf, len) { return Module.kernel.writeFrom(fd, buf >>> 0, len); },
  os_is_regular_file: function(fd) { return Module.kernel.isRegularFile(fd); },
  os_socket_error: function(fd) { return Module.kernel.socketError(fd); },
  os_eventfd: function() { return Module.kernel.eventfd(); },
  os_eventfd_signal: function(fd) { return Module.kernel.eventfdSignal(fd); },
  os_eventfd_drain: function(fd) { return Module.kernel.eventfdDrain(fd); },
  os_close: function(fd) { return Module.kernel.close(fd); },
  os_now_ms: function() { return Module.kernel.now; },
  os_epoll_create: function() { return Module.kernel.epollCreate(); },
  os_epoll_add: function(ep, fd, events, tag) { return Module.kernel.epollControl(ep, 'add', fd, events >>> 0, tag >>> 0); },
  os_epoll_modify: function(ep, fd, events, tag) { return Module.kernel.epollControl(ep, 'modify', fd, events >>> 0, tag >>> 0); },
  os_epoll_remove: function(ep, fd) { return Module.kernel.epollControl(ep, 'remove', fd, 0, 0); },
  os_epoll_wait: function(ep, ready, max, timeout) { return Module.kernel.epollWait(ep, ready >>> 0, max, timeout); },
  os_poll: function(fds, count, timeout) { return Module.kernel.poll(fds >>> 0, count, timeout); },
});
