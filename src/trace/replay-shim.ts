// The shim of a replay: no OS, no sockets. Each cycle checks that the core asks for what the
// recording's core asked for, then writes the recorded raw results (and received bytes, where
// the recorded recv put them) into the result ring, as the real shim's cycle did.
import { type Backend, type NativeShim, type OsCalls, type PromisingShim, type ShimLayout, continuing } from '../backend.js';
import type { RequestRecord, ResultRecord } from './format.js';
import { ReactorError } from '../errors.js';
import { ENTRY_INTS, REQUEST_FIELD, RESULT_FIELD, ERRNO } from '../seam.js';
import { providedOffset } from '../core.js';
import { decodeBase64 } from './base64.js';

/** What one recorded shim cycle took and gave. */
export interface RecordedCycle {
  requests: RequestRecord[];
  results: ResultRecord[];
}

/** Thrown when the replayed core does something the recorded one did not. */
export function divergence(r: number, what: string): ReactorError {
  return new ReactorError('EREPLAY', `replay of reactor ${r} diverged: ${what}; the trace does not come from this core (or was edited)`);
}

export class ReplayShim implements PromisingShim {
  readonly wakeToken = 0;
  readonly waitsInterrupted = 0;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #layout: ShimLayout;
  readonly #cycles: Map<number, RecordedCycle>;
  readonly #r: number;
  #next = 0;
  #pendingAsync: (() => void) | null = null;

  constructor(r: number, memory: ArrayBuffer, layout: ShimLayout, cycles: Map<number, RecordedCycle>) {
    this.#r = r;
    this.#i32 = new Int32Array(memory);
    this.#u8 = new Uint8Array(memory);
    this.#layout = layout;
    this.#cycles = cycles;
  }

  cycle(requests: number): number {
    const recorded = this.#cycles.get(this.#next) ?? { requests: [], results: [] };
    this.#check(requests, recorded.requests);
    this.#next++;
    return this.#write(recorded.results);
  }

  /** A recording holds requests applied without a wait as a cycle of their own. */
  apply(requests: number): number {
    return this.cycle(requests);
  }

  /** An async cycle ends when the replay reaches the end of its recorded wait: see `finishAsync`. */
  cycleAsync(requests: number): Promise<number> {
    const recorded = this.#cycles.get(this.#next) ?? { requests: [], results: [] };
    this.#check(requests, recorded.requests);
    this.#next++;
    return new Promise((resolve) => {
      this.#pendingAsync = () => resolve(this.#write(recorded.results));
    });
  }

  /** Ends the pending async cycle with its recorded results; false when none is pending. */
  finishAsync(): boolean {
    const finish = this.#pendingAsync;
    this.#pendingAsync = null;
    finish?.();
    return finish !== null;
  }

  wakeup(): number {
    return 0;
  }

  close(): void {}

  #check(count: number, recorded: RequestRecord[]): void {
    const cycle = this.#next;
    if (count !== recorded.length) throw divergence(this.#r, `cycle ${cycle} carries ${count} requests, the recording ${recorded.length}`);
    let at = this.#layout.requestsAt >> 2;
    for (const q of recorded) {
      const i32 = this.#i32;
      const live = {
        kind: i32[at + REQUEST_FIELD.kind],
        fd: i32[at + REQUEST_FIELD.fd],
        target: i32[at + REQUEST_FIELD.target],
        len: i32[at + REQUEST_FIELD.len],
        mask: i32[at + REQUEST_FIELD.mask],
      };
      if (live.kind !== q.kind || live.fd !== q.fd || live.target !== q.target || live.len !== q.len || live.mask !== q.mask) {
        throw divergence(
          this.#r,
          `cycle ${cycle} requests ${JSON.stringify(live)}, the recording ${JSON.stringify({ kind: q.kind, fd: q.fd, target: q.target, len: q.len, mask: q.mask })}`,
        );
      }
      at += ENTRY_INTS;
    }
  }

  #write(results: ResultRecord[]): number {
    let at = this.#layout.resultsAt >> 2;
    for (const x of results) {
      const entry = this.#i32.subarray(at, at + ENTRY_INTS).fill(0);
      entry[RESULT_FIELD.kind] = x.kind;
      entry[RESULT_FIELD.fd] = x.fd;
      entry[RESULT_FIELD.target] = x.target;
      entry[RESULT_FIELD.value] = x.value;
      entry[RESULT_FIELD.osCode] = x.osCode;
      entry[RESULT_FIELD.accepted] = x.accepted;
      entry[RESULT_FIELD.gen] = x.gen ?? 0;
      entry[RESULT_FIELD.buffer] = x.buffer ?? -1;
      at += ENTRY_INTS;
      if (x.data === undefined) continue;
      const bytes = decodeBase64(x.data);
      const ptr = providedOffset(this.#i32, this.#layout.providedAt, x.buffer ?? -1);
      if (ptr < 0 || bytes === null || bytes.length !== x.value) {
        throw divergence(this.#r, `a recv result for buffer ${x.buffer} carries ${x.value} bytes of data the replay cannot place`);
      }
      this.#u8.set(bytes, ptr);
    }
    return results.length;
  }
}

/**
 * OS calls of a replay: the fd kinds the recording saw at each add; nothing else exists. A
 * recorded close (of a registered fd) unregisters it, and closing the nothing behind it succeeds.
 */
function replayOs(kinds: Map<number, number>): OsCalls {
  const none = (): number => -ERRNO.EBADF;
  return {
    socketPair: none,
    listen: none,
    connect: none,
    accept: none,
    send: none,
    recv: none,
    shutdown: none,
    getsockname: none,
    getpeername: none,
    close: () => 0,
    fdKind: (fd) => kinds.get(fd) ?? -ERRNO.EBADF,
  };
}

/** The backend a replayed reactor runs on; the driver sets its clock and fd kinds as it goes. */
export class ReplayBackend implements Backend {
  readonly host = 'replay';
  readonly kinds = new Map<number, number>();
  readonly os = replayOs(this.kinds);
  /** The recorded time of the record being replayed. */
  time = 0;
  shim: ReplayShim | null = null;

  constructor(
    readonly r: number,
    readonly cycles: Map<number, RecordedCycle>,
  ) {}

  now(): number {
    return this.time;
  }

  faultReport(): null {
    return null;
  }

  async createShim(memory: ArrayBuffer, layout: ShimLayout): Promise<NativeShim> {
    this.shim = new ReplayShim(this.r, memory, layout, this.cycles);
    return continuing(this.shim);
  }
}
