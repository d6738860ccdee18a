// The wire between the native reactors of one trace: a loopback connection whose both ends this
// process holds (in one reactor or two, recording into one sink) has each send written as a
// segment and each receive as a take, numbered and counted per direction as a simulated network's
// are (format.ts SegmentRecord, TakeRecord), so the page joins each send to the receives that took
// its bytes. An end is known by its own address (getsockname) and its peer's (getpeername): a
// connect to a listener of this trace is one end, the accepted socket whose peer address is that
// connect's own address is the other; the two fds of a socket pair are each other's peer. A
// connection with one end outside the trace writes nothing: no take would ever join its sends.
import type { OsCalls } from '../backend.js';
import { SEGMENT_DATA_BYTES, type SegmentRecord, type TraceSink, type WireKind } from './format.js';
import { writerFor, type TraceWriter } from './writer.js';
import { encodeBase64 } from './base64.js';

/** Addresses a listener takes every local connection on. */
const ANY_ADDRESS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** One direction of a connection: its receiving end's number (TakeRecord.conn), and its bytes so far. */
interface Direction {
  conn: number;
  sent: number;
  taken: number;
  finSent: boolean;
  finTaken: boolean;
}

/** A socket whose peer is in this trace: the direction it sends in and the one it receives from. */
interface End {
  out: Direction;
  in: Direction;
  /** A connecting end's own 'address:port', until the listener's side accepts it. */
  dialledAs?: string;
}

/** Where a tap's records come from: the host its reactor names, and its clock. */
export interface WireSide {
  host: string;
  now: () => number;
}

const addressKey = ([address, port]: [string, number]): string => `${address}:${port}`;

export class LoopbackWire {
  readonly #writer: TraceWriter;
  /** Fd → its end, for the sockets whose peer is in this trace. */
  readonly #ends = new Map<number, End>();
  /** Listening sockets of this trace, by fd: their address and port. */
  readonly #listening = new Map<number, [string, number]>();
  /** Connecting ends by their own 'address:port'. */
  readonly #dialled = new Map<string, End>();
  #conns = 0;

  constructor(sink: TraceSink) {
    this.#writer = writerFor(sink);
  }

  listened(fd: number, os: OsCalls): void {
    this.#forget(fd);
    const name = os.getsockname(fd);
    if (typeof name !== 'number') this.#listening.set(fd, name);
  }

  /** fd connects to host:port: if a listener of this trace is there, its SYN is a segment. */
  connected(side: WireSide, fd: number, host: string, port: number, os: OsCalls): void {
    this.#forget(fd);
    let ours = false;
    for (const [address, listening] of this.#listening.values()) {
      if (listening === port && (address === host || ANY_ADDRESS.has(address))) ours = true;
    }
    if (!ours) return;
    const name = os.getsockname(fd);
    if (typeof name === 'number') return;
    const end: End = { out: this.#direction(), in: this.#direction(), dialledAs: addressKey(name) };
    this.#ends.set(fd, end);
    this.#dialled.set(end.dialledAs!, end);
    this.#segment(side, fd, end.out, 'syn', null);
  }

  /** fd was accepted: if its peer is a connect of this trace, the two are one connection. */
  accepted(side: WireSide, fd: number, os: OsCalls): void {
    this.#forget(fd);
    const peer = os.getpeername(fd);
    if (typeof peer === 'number') return;
    const dialled = this.#dialled.get(addressKey(peer));
    if (!dialled) return;
    this.#dialled.delete(dialled.dialledAs!);
    dialled.dialledAs = undefined;
    const end: End = { out: dialled.in, in: dialled.out };
    this.#ends.set(fd, end);
    this.#take(side, fd, end.in, 'syn', 0);
  }

  paired(a: number, b: number): void {
    this.#forget(a);
    this.#forget(b);
    const ab = this.#direction();
    const ba = this.#direction();
    this.#ends.set(a, { out: ab, in: ba });
    this.#ends.set(b, { out: ba, in: ab });
  }

  /** fd's kernel took `data` to send. */
  sent(side: WireSide, fd: number, data: Uint8Array): void {
    const end = this.#ends.get(fd);
    if (end && data.length > 0) this.#segment(side, fd, end.out, 'data', data);
  }

  /** fd received `bytes`; 0 is the end of the stream (taken once, however often it is read again). */
  received(side: WireSide, fd: number, bytes: number): void {
    const end = this.#ends.get(fd);
    if (!end) return;
    if (bytes > 0) this.#take(side, fd, end.in, 'data', bytes);
    else if (!end.in.finTaken) {
      end.in.finTaken = true;
      this.#take(side, fd, end.in, 'fin', 0);
    }
  }

  /** fd sends no more: its FIN is on the wire. */
  shutdown(side: WireSide, fd: number): void {
    const end = this.#ends.get(fd);
    if (!end || end.out.finSent) return;
    end.out.finSent = true;
    this.#segment(side, fd, end.out, 'fin', null);
  }

  /** fd is closed: a FIN if it was not shut down, and its number may come back for another socket. */
  closed(side: WireSide, fd: number): void {
    this.shutdown(side, fd);
    this.#forget(fd);
  }

  #forget(fd: number): void {
    const end = this.#ends.get(fd);
    if (end?.dialledAs !== undefined) this.#dialled.delete(end.dialledAs);
    this.#ends.delete(fd);
    this.#listening.delete(fd);
  }

  #direction(): Direction {
    return { conn: this.#conns++, sent: 0, taken: 0, finSent: false, finTaken: false };
  }

  #segment(side: WireSide, fd: number, to: Direction, flag: WireKind, data: Uint8Array | null): void {
    const t = side.now();
    const bytes = data?.length ?? 0;
    // Its arrival at the peer's kernel is not seen natively: only the receive that took it.
    const record: SegmentRecord = {
      k: 'segment',
      t,
      r: this.#writer.caller,
      host: side.host,
      fd,
      conn: to.conn,
      seq: to.sent,
      bytes,
      flag,
      at: t,
    };
    if (data) record.data = encodeBase64(data.subarray(0, SEGMENT_DATA_BYTES));
    to.sent += bytes;
    this.#writer.emit(record);
  }

  #take(side: WireSide, fd: number, from: Direction, flag: WireKind, bytes: number): void {
    this.#writer.emit({
      k: 'take',
      t: side.now(),
      r: this.#writer.caller,
      host: side.host,
      fd,
      conn: from.conn,
      seq: from.taken,
      bytes,
      flag,
    });
    from.taken += bytes;
  }
}

const wires = new WeakMap<TraceSink, LoopbackWire>();

/** The one wire of a sink, shared by its native reactors: an end in one and its peer in another meet here. */
export function loopbackFor(sink: TraceSink): LoopbackWire {
  let wire = wires.get(sink);
  if (!wire) {
    wire = new LoopbackWire(sink);
    wires.set(sink, wire);
  }
  return wire;
}

/** `os` with every socket created, sending, receiving or closing told to `wire`. */
export function wiredOs(os: OsCalls, wire: LoopbackWire, side: WireSide): OsCalls {
  return {
    socketPair() {
      const pair = os.socketPair();
      if (typeof pair !== 'number') wire.paired(pair[0], pair[1]);
      return pair;
    },
    listen(host, port, backlog) {
      const listening = os.listen(host, port, backlog);
      if (typeof listening !== 'number') wire.listened(listening[0], os);
      return listening;
    },
    connect(host, port) {
      const fd = os.connect(host, port);
      if (fd >= 0) wire.connected(side, fd, host, port, os);
      return fd;
    },
    accept(listener) {
      const fd = os.accept(listener);
      if (fd >= 0) wire.accepted(side, fd, os);
      return fd;
    },
    send(fd, data) {
      const taken = os.send(fd, data);
      if (taken > 0) wire.sent(side, fd, data.subarray(0, taken));
      return taken;
    },
    recv(fd, maxBytes) {
      const got = os.recv(fd, maxBytes);
      if (typeof got !== 'number') wire.received(side, fd, got.length);
      return got;
    },
    shutdown(fd) {
      const done = os.shutdown(fd);
      if (done >= 0) wire.shutdown(side, fd);
      return done;
    },
    close(fd) {
      const done = os.close(fd);
      if (done >= 0) wire.closed(side, fd);
      return done;
    },
    fdKind: (fd) => os.fdKind(fd),
    getsockname: (fd) => os.getsockname(fd),
    getpeername: (fd) => os.getpeername(fd),
  };
}
