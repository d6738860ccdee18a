// The simulated kernel as one reactor's shim sees it: the OS calls native/sim/sim_os.js makes,
// with pointers into the shared shim module's heap or into the reactor's core memory (offset by
// SIM_BUFFER_BASE). Reused from call to call: a kernel call allocates nothing.
import { type SimKernel, SIM_BUFFER_BASE } from './kernel.js';
import { CompletionPort } from './iocp.js';
import { PollList } from './poll.js';
import { SimRing } from './uring.js';
import type { ShimModule } from './shim-module.js';

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const coreOffset = (ptr: number): number => ptr - SIM_BUFFER_BASE;

export class KernelCalls {
  /** The completion ports and rings the shim opened: a handle is the place here plus one. */
  readonly ports: CompletionPort[] = [];
  readonly #rings: SimRing[] = [];
  readonly #polled = new PollList();
  /** The shim's epoll instance (native/unix/epoll.c opens one), or -1. */
  epoll = -1;

  constructor(
    readonly kernel: SimKernel,
    readonly core: Uint8Array,
    readonly module: ShimModule,
  ) {}

  get now(): number {
    return this.kernel.now;
  }

  accept(fd: number): number {
    return this.kernel.accept(fd);
  }

  readInto(fd: number, ptr: number, len: number): number {
    return this.kernel.read(fd, this.core, coreOffset(ptr), len);
  }

  writeFrom(fd: number, ptr: number, len: number): number {
    return this.kernel.write(fd, this.core, coreOffset(ptr), len);
  }

  isRegularFile(fd: number): number {
    return this.kernel.isRegularFile(fd);
  }

  socketError(fd: number): number {
    return this.kernel.socketError(fd);
  }

  eventfd(): number {
    return this.kernel.eventfd();
  }

  eventfdSignal(fd: number): number {
    return this.kernel.eventfdSignal(fd);
  }

  eventfdDrain(fd: number): void {
    this.kernel.eventfdDrain(fd);
  }

  close(fd: number): number {
    return this.kernel.close(fd);
  }

  epollCreate(): number {
    const ep = this.kernel.epollCreate();
    if (this.epoll < 0) this.epoll = ep;
    return ep;
  }

  epollControl(ep: number, op: 'add' | 'modify' | 'remove', fd: number, events: number, tag: number): number {
    return this.kernel.epollControl(ep, op, fd, events, tag);
  }

  /** Writes the ready fds straight into the shim's os_ready array (u32 events, tag). */
  epollWait(ep: number, ready: number, max: number, timeoutMs: number): number {
    return this.kernel.epollWait(ep, timeoutMs, max, this.module.heapU32, ready >> 2);
  }

  poll(fds: number, count: number, timeoutMs: number): number {
    // os_pollfd: i32 fd; i16 events, revents.
    const m = this.module;
    const polled = this.#polled;
    polled.resize(count);
    for (let i = 0; i < count; i++) {
      polled.fds[i] = m.heap32[(fds >> 2) + i * 2];
      polled.events[i] = m.heapU32[(fds >> 2) + i * 2 + 1] & 0xffff;
    }
    const n = this.kernel.poll(polled, timeoutMs);
    for (let i = 0; i < count; i++) {
      const at = (fds >> 2) + i * 2 + 1;
      m.heap32[at] = (m.heap32[at] & 0xffff) | (polled.revents[i] << 16);
    }
    return n;
  }

  #port(handle: number): CompletionPort {
    return this.ports[handle - 1];
  }

  iocpOpen(maxOps: number, handleAt: number): number {
    this.ports.push(new CompletionPort(this.kernel, this.core, maxOps));
    this.module.heap32[handleAt >> 2] = this.ports.length;
    return 0;
  }

  iocpShut(handle: number): void {
    this.#port(handle).shut();
  }

  iocpAssociate(handle: number, fd: number, stream: number): number {
    return this.#port(handle).associate(fd, stream !== 0);
  }

  iocpDissociate(handle: number, fd: number): number {
    return this.#port(handle).dissociate(fd);
  }

  iocpRecv(handle: number, fd: number, ptr: number, len: number, op: number): number {
    return this.#port(handle).recv(fd, coreOffset(ptr), len, op);
  }

  iocpRecvNow(handle: number, fd: number, ptr: number, len: number): number {
    return this.#port(handle).recvNow(fd, coreOffset(ptr), len);
  }

  iocpSend(handle: number, fd: number, ptr: number, len: number, op: number): number {
    return this.#port(handle).send(fd, coreOffset(ptr), len, op);
  }

  iocpAccept(handle: number, fd: number, op: number): number {
    return this.#port(handle).accept(fd, op);
  }

  iocpPost(handle: number): number {
    return this.#port(handle).post();
  }

  iocpWait(handle: number, out: number, max: number, timeoutMs: number): number {
    const done = this.#port(handle).wait(max, timeoutMs);
    const m = this.module;
    // os_completion: u32 op, bytes, error; i32 accepted.
    for (let i = 0; i < done.length; i++) {
      const c = done[i];
      const at = (out >> 2) + i * 4;
      m.heapU32[at] = c.op;
      m.heapU32[at + 1] = c.bytes;
      m.heapU32[at + 2] = c.error;
      m.heap32[at + 3] = c.accepted;
    }
    return done.length;
  }

  #ring(handle: number): SimRing {
    return this.#rings[handle - 1];
  }

  uringOpen(entries: number, handleAt: number): number {
    this.#rings.push(new SimRing(this.kernel, this.core, entries));
    this.module.heap32[handleAt >> 2] = this.#rings.length;
    return 0;
  }

  uringShut(handle: number): void {
    this.#ring(handle).shut();
  }

  uringReserve(handle: number, count: number): number {
    return this.#ring(handle).reserve(count);
  }

  uringSend(handle: number, fd: number, ptr: number, len: number, linked: number, lo: number, hi: number): number {
    return this.#ring(handle).send(fd, coreOffset(ptr), len, linked !== 0, u64(lo, hi));
  }

  uringBuffersOpen(handle: number, entries: number): number {
    return this.#ring(handle).buffersOpen(entries);
  }

  uringBuffersDrop(handle: number, count: number): void {
    this.#ring(handle).buffersDrop(count);
  }

  uringBufferAdd(handle: number, ptr: number, len: number, id: number): void {
    this.#ring(handle).bufferAdd(coreOffset(ptr), len, id);
  }

  uringRecv(handle: number, fd: number, len: number, lo: number, hi: number): number {
    return this.#ring(handle).recv(fd, len, u64(lo, hi));
  }

  uringAccept(handle: number, fd: number, lo: number, hi: number): number {
    return this.#ring(handle).acceptMultishot(fd, u64(lo, hi));
  }

  uringPoll(handle: number, fd: number, events: number, multishot: number, lo: number, hi: number): number {
    return this.#ring(handle).poll(fd, events, multishot !== 0, u64(lo, hi));
  }

  uringCancel(handle: number, targetLo: number, targetHi: number, lo: number, hi: number): number {
    return this.#ring(handle).cancel(u64(targetLo, targetHi), u64(lo, hi));
  }

  uringEnter(handle: number, out: number, max: number, timeoutMs: number): number {
    const done = this.#ring(handle).enter(max, timeoutMs);
    if (typeof done === 'number') return done;
    const m = this.module;
    // os_uring_cqe: u64 tag (low half first), i32 res, u32 flags.
    for (let i = 0; i < done.length; i++) {
      const c = done[i];
      const at = (out >> 2) + i * 4;
      m.heapU32[at] = Number(c.tag & 0xffffffffn);
      m.heapU32[at + 1] = Number(c.tag >> 32n);
      m.heap32[at + 2] = c.res;
      m.heapU32[at + 3] = c.flags;
    }
    return done.length;
  }
}
