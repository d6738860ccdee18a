// The faults a simulated network injects, as the API names them: the rates Reactor.create and
// a Simulation take, and the report faultReport() gives. The simulator (src/sim/) injects them.

export interface FaultRates {
  /** A send is taken only in part (the app must send the rest). */
  partialWriteRate?: number;
  /** A read (or an IOCP recv completion) takes only part of what is queued; the rest stays queued. */
  partialReadRate?: number;
  /**
   * An accept fails with EMFILE (the process is out of fds; under IOCP, WSAEMFILE): the
   * connection stays pending, so a later accept takes it.
   */
  emfileRate?: number;
  /**
   * Making a socket fails with ENOBUFS: a connect's (the app may retry), and under IOCP the
   * socket a posted accept makes for AcceptEx (WSAENOBUFS, the connection stays pending).
   */
  enobufsRate?: number;
  /**
   * A sender shuts down its write side right after a data segment, as a peer that half-closes
   * early: the receiver reads the segment, then end of stream, and can still send back.
   */
  halfCloseRate?: number;
  /** A data segment resets the connection instead of arriving: both ends see ECONNRESET. */
  resetRate?: number;
  /** A connect is refused. */
  refuseRate?: number;
  /**
   * An epoll, poll or io_uring wait is interrupted by a signal (the shim resumes it with the time left).
   * IOCP waits are not: the shim's GetQueuedCompletionStatusEx is not alertable, so Windows ends
   * it for no APC or signal (no WAIT_IO_COMPLETION), and the simulated port does likewise.
   */
  interruptRate?: number;
  /** A pending connection is aborted before accept takes it. */
  acceptAbortRate?: number;
  /** A data segment is held back STALL_MS (and the connection's later segments behind it). */
  stallRate?: number;
  /**
   * A segment between two hosts starts a one-way partition: nothing from its host reaches the
   * other for PARTITION_MS (what was sent arrives when it heals), while the other way still flows.
   */
  partitionRate?: number;
  /** An IOCP or io_uring cancel lands late: the operation may still finish with its result instead of 995 or ECANCELED. */
  cancelRaceRate?: number;
}

export interface FaultReport {
  /** Per kind: its rate (null when a schedule decides), and how often it was injected. */
  [kind: string]: { rate: number | null; injected: number };
}
