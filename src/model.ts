// The names a reactor is made of: its model, its mechanism and its backend. Apart from the
// options, so the native backend can speak of them without importing Reactor.create's checks.
export type Model = 'readiness' | 'completion';
export type Mechanism = 'epoll' | 'poll' | 'iocp' | 'io_uring';
export type BackendName = 'native' | 'sim';
