// One test (or one small group) per defect of Neolith's reactor that we fix, a describe each: each
// states what we do and is written so that Neolith's behaviour would make it fail.
import { Worker } from 'node:worker_threads';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { EventType, type IoEvent, type Reactor } from '../src/index.js';
import {
  MATRIX,
  FULL_MATRIX,
  MECHANISMS,
  COMPLETION_MECHANISMS,
  SIM_IOCP,
  reactor,
  destroyAll,
  text,
  str,
  type Mechanism,
  type Backend,
} from './helpers.js';
import { refused, track, socketPair, closeTracked, sleep, untrack } from './contract.js';

const SIGNAL_CHILD = new URL('../../../test/fixtures/signal-child.mjs', import.meta.url).pathname;

afterEach(() => {
  destroyAll();
  closeTracked();
});

const pattern = (n: number, seed = 0): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out;
};

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Waits (up to totalMs) collecting events, with their buffers copied, until `done` holds. */
function collect<C>(r: Reactor<C>, done: (all: IoEvent<C>[]) => boolean, totalMs = 3000, maxEvents?: number): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  const end = Date.now() + totalMs;
  while (!done(all) && Date.now() < end) {
    for (const e of r.wait(20, maxEvents)) all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
  }
  return all;
}

/** The completion model natively on each mechanism, and over the simulated IOCP. */
const COMPLETION: [Mechanism, Backend][] = [
  ...COMPLETION_MECHANISMS.map((m) => [m, 'native'] as [Mechanism, Backend]),
  [SIM_IOCP[1], SIM_IOCP[2]],
];

// ---------------------------------------------------------------------------------------------
// Row: 4097th add overflowed the heap (poll backend) → O(1) fd table sized by maxSockets; ENOSPC.

describe.each(MATRIX)('maxSockets (%s over %s)', (model, mechanism) => {
  test('adds past maxSockets are refused with ENOSPC, nothing changes, and the reactor keeps working', async () => {
    const r = await reactor<string>({ model, mechanism, maxSockets: 8 });
    const pairs = Array.from({ length: 9 }, () => socketPair(r));
    pairs.slice(0, 8).forEach(([fd], i) => r.add(fd, `s${i}`, EventType.READ));
    const before = r.stats();
    expect(before.registered).toBe(8);

    const error = refused(() => r.add(pairs[8][0], 's8', EventType.READ), 'ENOSPC');
    expect(error.message).toMatch(/maxSockets/);
    expect(error.message).toMatch(/remove|larger/);
    expect(r.stats()).toEqual(before);

    r.os.send(pairs[7][1], text('still here'));
    const events = collect(r, (all) => all.length > 0);
    expect(events.map((e) => e.context)).toEqual(['s7']);
    if (model === 'completion') expect(str(events[0].buffer)).toBe('still here');
    else expect(str(r.os.recv(pairs[7][0]))).toBe('still here');

    expect(r.remove(pairs[0][0])).toBe(true);
    r.add(pairs[8][0], 's8', EventType.READ);
    r.os.send(pairs[8][1], text('ninth'));
    const later = collect(r, (all) => all.some((e) => e.context === 's8'));
    expect(later.filter((e) => e.context === 's8')).toHaveLength(1);
    expect(r.stats().registered).toBe(8);
  });

  test('with the default maxSockets, 4200 fds (past 4096) register and each end still delivers events', async () => {
    // Completion posts a read per READ registration: give it the contexts for all of them.
    const r = await reactor<number>({ model, mechanism, poolSize: model === 'completion' ? 4400 : 256, bufferSize: 64 });
    const pairs: [number, number][] = [];
    for (let i = 0; i < 2100; i++) pairs.push(socketPair(r));
    const fds = pairs.flat();
    fds.forEach((fd, i) => r.add(fd, i, EventType.READ));
    expect(r.stats().registered).toBe(4200);
    expect(r.wait(0)).toEqual([]); // every read handed over; nothing is ready

    // The first pair, one past 4096, and the last registered fd.
    const targets = [0, 4097, 4199];
    for (const i of targets) r.os.send(fds[i ^ 1], text(`to ${i}`));
    const events = collect(r, (all) => targets.every((i) => all.some((e) => e.context === i)));
    expect(events.map((e) => e.context).sort((a, b) => a - b)).toEqual(targets);
    for (const e of events) {
      expect(e.fd).toBe(fds[e.context]);
      const data = model === 'completion' ? e.buffer : r.os.recv(e.fd);
      expect(str(data)).toBe(`to ${e.context}`);
    }
    for (const fd of fds) expect(r.remove(fd)).toBe(true);
    expect(r.stats().registered).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: linear fd scan, add/modify/remove O(n) → O(1).

test('looking up an fd costs the same with 10 or 4200 fds registered (no linear scan)', async () => {
  // Completion: modify(fd, 0) of an idle fd and remove of an unknown fd touch only the table.
  const r = await reactor<number>({ model: 'completion', mechanism: 'epoll' });
  const fds: number[] = [];
  const addPairs = (n: number) => {
    for (let i = 0; i < n; i++) {
      for (const fd of socketPair(r)) {
        r.add(fd, fds.length, 0);
        fds.push(fd);
      }
    }
  };
  const UNKNOWN = 1_500_000_000;
  const CALLS = 20000;
  const perCall = (): number => {
    const last = fds[fds.length - 1];
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) {
        r.modify(last, 0);
        r.remove(UNKNOWN);
      }
      best = Math.min(best, Number(process.hrtime.bigint() - start) / CALLS);
    }
    return best;
  };
  addPairs(5);
  perCall(); // warm up the JIT
  const small = perCall();
  addPairs(2095);
  expect(fds.length).toBe(4200);
  const large = perCall();
  // A scan of 4200 entries per call would cost tens of times more than a scan of 10.
  expect(large).toBeLessThan(small * 4 + 500);
});

// ---------------------------------------------------------------------------------------------
// Row: pool exhaustion silently mallocs; in-flight ops unbounded → a fixed pool for bytes in
// flight only: a posted read holds no buffer until the OS has data for it; when buffers run out,
// ready reads wait in order and writes queue up to maxQueuedWriteBytes, past which ENOBUFS.

/** Reposts a read for each READ event; returns the events with their buffers copied. */
function readLoop<C>(r: Reactor<C>, done: (all: IoEvent<C>[]) => boolean, maxEvents?: number, totalMs = 5000): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  for (let end = Date.now() + totalMs; !done(all) && Date.now() < end; ) {
    for (const e of r.wait(20, maxEvents)) {
      all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
      if (e.type === EventType.READ) r.postRead(e.fd);
    }
  }
  return all;
}

describe.each(COMPLETION)('buffers for bytes in flight (completion over %s, %s)', (mechanism, backend) => {
  test('idle reads hold no buffer: 24 connections on a pool of 4 are added, and data on random ones arrives intact', async () => {
    const r = await reactor<number>({ model: 'completion', mechanism, backend, poolSize: 4, bufferSize: 64 });
    const pairs = Array.from({ length: 24 }, () => socketPair(r));
    pairs.forEach(([fd], i) => r.add(fd, i, EventType.READ));
    expect(r.wait(0)).toEqual([]);
    expect(r.stats()).toMatchObject({ registered: 24, poolInUse: 0, poolHighWater: 0, readsWaiting: 0 });

    // Messages longer than a buffer, on connections picked by a fixed-seed generator.
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const sent = pairs.map(() => [] as Uint8Array[]);
    for (let m = 0; m < 60; m++) {
      const i = random(pairs.length);
      const message = pattern(1 + random(200), m);
      r.os.send(pairs[i][1], message);
      sent[i].push(message);
    }
    const expected = sent.map((parts) => concat(parts));
    const total = expected.reduce((n, b) => n + b.length, 0);
    let waitingSeen = 0;
    const events = readLoop(r, (all) => {
      waitingSeen = Math.max(waitingSeen, r.stats().readsWaiting);
      return all.reduce((n, e) => n + e.bytesTransferred, 0) >= total;
    });
    const received = pairs.map((_, i) => concat(events.filter((e) => e.context === i).map((e) => e.buffer!)));
    received.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(expected[i]))).toBe(true));
    expect(events.every((e) => e.type === EventType.READ)).toBe(true);
    expect(waitingSeen).toBeGreaterThan(0);
    expect(r.stats().poolHighWater).toBeLessThanOrEqual(4);
    r.wait(0);
    expect(r.stats()).toMatchObject({ poolInUse: 0, readsWaiting: 0 });
  });

  test('ready reads wait for a buffer while the pool is held, then resume in order with their data', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 2, bufferSize: 16 });
    const names = ['a', 'b', 'c', 'd'];
    const pairs = names.map(() => socketPair(r));
    pairs.forEach(([fd], i) => r.add(fd, names[i], EventType.READ));
    expect(r.wait(0)).toEqual([]);
    pairs.forEach(([, peer], i) => r.os.send(peer, text(`data for ${names[i]}`)));
    sleep(20);

    // One event per wait: a delivered buffer and a queued completion hold the pool of two, so
    // the other two ready reads wait.
    const first = readLoop(r, (all) => all.length > 0, 1);
    expect(first).toHaveLength(1);
    expect(r.stats()).toMatchObject({ readsWaiting: 2, poolInUse: 2 });

    const rest = readLoop(r, (all) => all.length >= 3, 1);
    const events = [...first, ...rest];
    expect(events.map((e) => [e.context, str(e.buffer)]).sort()).toEqual(names.map((n) => [n, `data for ${n}`]));
    expect(r.stats().readsWaiting).toBe(0);
  });

  test('remove while a read waits for a buffer: nothing for that fd is delivered afterwards', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 2, bufferSize: 16 });
    const names = ['a', 'b', 'c', 'd'];
    const pairs = names.map(() => socketPair(r));
    pairs.forEach(([fd], i) => r.add(fd, names[i], EventType.READ));
    expect(r.wait(0)).toEqual([]);
    pairs.forEach(([, peer], i) => r.os.send(peer, text(`data for ${names[i]}`)));
    sleep(20);
    const first = readLoop(r, (all) => all.length > 0, 1);
    expect(r.stats().readsWaiting).toBe(2);

    // Every fd but the delivered one goes: two of them wait for a buffer, one has a queued completion.
    const kept = first[0].fd;
    for (const [fd] of pairs) if (fd !== kept) r.remove(fd);
    expect(r.stats()).toMatchObject({ readsWaiting: 0, registered: 1 });
    pairs.forEach(([, peer]) => r.os.send(peer, text('more')));
    const later = readLoop(r, () => false, undefined, 300);
    expect(later.map((e) => e.fd).every((fd) => fd === kept)).toBe(true);
    expect(r.stats()).toMatchObject({ readsWaiting: 0, poolInUse: 0 });
  });

  test('writes queue while the pool is busy and go out in order; past maxQueuedWriteBytes ENOBUFS with nothing queued', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 2, bufferSize: 16, maxQueuedWriteBytes: 40 });
    const [w, pw] = socketPair(r);
    const [gone, goneP] = socketPair(r);
    r.add(w, 'w', 0);
    r.add(gone, 'gone', 0);
    const a = pattern(32, 1);
    const b = pattern(16, 2);
    const c = pattern(24, 3);
    r.postWrite(w, a); // takes both contexts
    r.postWrite(w, b); // queued
    r.postWrite(gone, pattern(8, 4)); // queued, then dropped by remove
    expect(r.stats().queuedWriteBytes).toBe(24);
    r.remove(gone);
    r.postWrite(w, c);
    expect(r.stats().queuedWriteBytes).toBe(40);
    const before = r.stats();
    expect(refused(() => r.postWrite(w, text('x')), 'ENOBUFS').message).toMatch(/maxQueuedWriteBytes 40.*nothing was sent or queued/);
    expect(r.stats()).toEqual(before);

    const events = readLoop(r, (all) => all.length >= 3);
    expect(events.map((e) => [e.context, e.type, e.bytesTransferred])).toEqual([
      ['w', EventType.WRITE, 32],
      ['w', EventType.WRITE, 16],
      ['w', EventType.WRITE, 24],
    ]);
    let got: Uint8Array = new Uint8Array(0);
    for (let chunk = r.os.recv(pw); chunk && chunk.length > 0; chunk = r.os.recv(pw)) got = concat([got, chunk]);
    expect(Buffer.from(got).equals(Buffer.from(concat([a, b, c])))).toBe(true);
    expect(r.os.recv(goneP)).toBeNull();
    expect(r.stats()).toMatchObject({ queuedWriteBytes: 0, poolInUse: 0 });
  });

  test('a connection that keeps sending cannot starve the others when buffers are short', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 2, bufferSize: 64 });
    const [flood, floodPeer] = socketPair(r);
    const quiet = Array.from({ length: 6 }, () => socketPair(r));
    r.add(flood, 'flood', EventType.READ);
    quiet.forEach(([fd], i) => r.add(fd, `q${i}`, EventType.READ));
    expect(r.wait(0)).toEqual([]);
    r.os.send(floodPeer, pattern(64 * 1024));
    quiet.forEach(([, peer], i) => r.os.send(peer, text(`q${i}`)));
    sleep(20);
    let waits = 0;
    const seen = new Set<string>();
    for (let end = Date.now() + 3000; seen.size < quiet.length && Date.now() < end; waits++) {
      for (const e of r.wait(20)) {
        if (e.context !== 'flood') seen.add(str(e.buffer));
        r.postRead(e.fd);
      }
    }
    expect([...seen].sort()).toEqual(quiet.map((_, i) => `q${i}`));
    // Two buffers a wait, shared in arrival order: the six quiet reads are served within a few
    // waits, while the flood (64 KiB, 64 bytes a read) is still far from done.
    expect(waits).toBeLessThanOrEqual(6);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: event.buffer reused by the next post (use-after-free) → valid until the next wait.

describe.each(COMPLETION)('delivered buffers (completion over %s, %s)', (mechanism, backend) => {
  test('with a pool of one, a delivered buffer survives postRead, new data and a queued write until the next wait', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 1, bufferSize: 16 });
    const [a, peer] = socketPair(r);
    const [b] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.add(b, 'b', 0);
    r.os.send(peer, text('first-chunk'));
    let events: IoEvent<string>[] = [];
    for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = r.wait(20);
    expect(events).toHaveLength(1);
    const buffer = events[0].buffer!;
    expect(str(buffer)).toBe('first-chunk');

    // The only context is held by that buffer: the write waits in the queue, not in it.
    r.postRead(a);
    expect(r.stats()).toMatchObject({ poolHeld: 1, poolInUse: 1 });
    r.os.send(peer, text('SECOND-CHUNK-XYZ'));
    r.postWrite(b, text('overwrite?'));
    expect(r.stats().queuedWriteBytes).toBe(10);
    sleep(20);
    r.stats();
    expect(str(buffer)).toBe('first-chunk');

    // The next waits take the buffer back: the queued write goes first, then the read gets the new data.
    const next = collect(r, (all) => all.some((e) => e.context === 'a'));
    expect(next.map((e) => [e.context, e.type, str(e.buffer)])).toEqual([
      ['b', EventType.WRITE, ''],
      ['a', EventType.READ, 'SECOND-CHUNK-XYZ'],
    ]);
  });

  test('writes posted while buffers are held never take a held context', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 3, bufferSize: 16 });
    const [a, pa] = socketPair(r);
    const [b, pb] = socketPair(r);
    const [w, pw] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.add(b, 'b', EventType.READ);
    r.add(w, 'w', 0);
    r.os.send(pa, text('AAAAAAAAAAAAAAAA'));
    r.os.send(pb, text('BBBBBBBBBBBBBBBB'));
    sleep(20);
    const held: IoEvent<string>[] = [];
    for (let end = Date.now() + 3000; held.length < 2 && Date.now() < end; ) held.push(...r.wait(20));
    expect(held.map((e) => e.context).sort()).toEqual(['a', 'b']);
    expect(r.stats().poolHeld).toBe(2);

    r.postWrite(w, text('wwwwwwwwwwwwwwww')); // the one free context
    r.postWrite(w, text('more')); // queued until a context is free
    expect(r.stats().queuedWriteBytes).toBe(4);
    r.postRead(a);
    r.postRead(b);
    r.os.send(pa, text('aaaa'));
    sleep(20);
    const by = (k: string) => str(held.find((e) => e.context === k)!.buffer);
    expect(by('a')).toBe('AAAAAAAAAAAAAAAA');
    expect(by('b')).toBe('BBBBBBBBBBBBBBBB');
    r.wait(0);
    r.wait(0);
    expect(str(r.os.recv(pw))).toBe('wwwwwwwwwwwwwwwwmore');
  });
});

// ---------------------------------------------------------------------------------------------
// Row: post_write silently truncated at 2048 bytes → any length, split across contexts, one
// WRITE completion for the whole write, or ENOBUFS with nothing sent.

describe.each(COMPLETION)('large writes (completion over %s, %s)', (mechanism, backend) => {
  test('a 300000-byte postWrite arrives whole and in order, with exactly one WRITE for all of it', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.WRITE);
    const data = pattern(300000, 7);
    r.postWrite(a, data);
    const received: Uint8Array[] = [];
    let got = 0;
    const writes: IoEvent<string>[] = [];
    for (let end = Date.now() + 10000; (got < data.length || writes.length === 0) && Date.now() < end; ) {
      for (const e of r.wait(5)) writes.push(e);
      for (let chunk = r.os.recv(peer); chunk && chunk.length > 0; chunk = r.os.recv(peer)) {
        received.push(chunk);
        got += chunk.length;
      }
    }
    writes.push(...collect(r, () => false, 100));
    expect(got).toBe(data.length);
    expect(Buffer.from(concat(received)).equals(Buffer.from(data))).toBe(true);
    expect(writes.map((e) => [e.type, e.bytesTransferred, e.context, e.error])).toEqual([[EventType.WRITE, 300000, 'a', undefined]]);
    expect(r.stats()).toMatchObject({ poolInUse: 0 });
  });

  test('a postWrite made while a waitAsync is pending is sent, with one WRITE for it', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', 0);
    expect(r.wait(0)).toEqual([]);
    const pending = r.waitAsync(2000);
    r.postWrite(a, text('during the wait'));
    const events = [...(await pending), ...collect(r, (all) => all.length > 0, 2000)];
    expect(events.map((e) => [e.context, e.type, e.bytesTransferred])).toEqual([['a', EventType.WRITE, 15]]);
    expect(str(r.os.recv(peer))).toBe('during the wait');
    expect(r.stats().poolInUse).toBe(0);
  });

  test('a write larger than the whole pool is refused with ENOBUFS and nothing is sent; the pool-sized one goes whole', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 8, bufferSize: 2048 });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', 0);
    const before = r.stats();
    const error = refused(() => r.postWrite(a, pattern(8 * 2048 + 1)), 'ENOBUFS');
    expect(error.message).toMatch(/nothing was sent/);
    expect(r.stats()).toEqual(before);
    expect(collect(r, () => false, 100)).toEqual([]);
    expect(r.os.recv(peer)).toBeNull();

    // A posted read holds no context: a write needing every context still goes whole.
    r.modify(a, EventType.READ);
    expect(r.wait(0)).toEqual([]);
    r.postWrite(a, pattern(8 * 2048, 3));
    const events = collect(r, (all) => all.length > 0);
    expect(events.map((e) => [e.type, e.bytesTransferred])).toEqual([[EventType.WRITE, 8 * 2048]]);
    let got: Uint8Array = new Uint8Array(0);
    for (let end = Date.now() + 2000; got.length < 8 * 2048 && Date.now() < end; ) {
      const chunk = r.os.recv(peer);
      if (chunk) got = concat([got, chunk]);
      else r.wait(5);
    }
    expect(Buffer.from(got).equals(Buffer.from(pattern(8 * 2048, 3)))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: events after remove, with a stale context → remove cancels pending ops; after it returns
// no event for that fd is delivered; contexts come back when the OS confirms the cancel.

describe.each(COMPLETION)('remove (completion over %s, %s)', (mechanism, backend) => {
  test('remove drops queued completions, cancels pending reads and writes; no event follows and the pool returns', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, poolSize: 512 });
    const [a, peer] = socketPair(r);
    r.add(a, 'old', EventType.READ);
    r.postRead(a);
    r.postRead(a);
    expect(r.wait(0)).toEqual([]);
    // More than the socket buffers hold while the peer does not read: parts stay pending.
    r.postWrite(a, pattern(900 * 1024));
    r.os.send(peer, text('data'));
    r.os.shutdown(peer);
    sleep(20);
    // Three reads finish (data, then end of stream twice); deliver one, keep two queued.
    const first = collect(r, (all) => all.length > 0, 3000, 1);
    expect(first.map((e) => [e.context, e.type, str(e.buffer)])).toEqual([['old', EventType.READ, 'data']]);
    expect(r.stats().readyQueued).toBe(2);
    expect(r.stats().poolInUse).toBeGreaterThan(3);

    expect(r.remove(a)).toBe(true);
    expect(r.stats()).toMatchObject({ registered: 0, readyQueued: 0, readsWaiting: 0 });
    // Drain the peer: the cancelled write must not complete or report.
    const late: IoEvent<string>[] = [];
    for (let end = Date.now() + 300; Date.now() < end; ) {
      late.push(...r.wait(10));
      while (r.os.recv(peer)?.length) {
        /* drain */
      }
    }
    expect(late).toEqual([]);
    expect(r.stats()).toMatchObject({ poolInUse: 0, poolHeld: 0, readyQueued: 0 });

    // The same fd number registered again: only the new context is ever seen.
    r.add(a, 'new', EventType.READ);
    const again = collect(r, (all) => all.length > 0);
    expect(again.map((e) => [e.context, e.type])).toEqual([['new', EventType.CLOSE]]);
  });
});

describe.each(MATRIX)('remove while a waitAsync is pending (%s over %s)', (model, mechanism) => {
  test('the pending wait and later waits report nothing for the fd, its contexts come back, and it is left alone', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a, peer] = socketPair(r);
    r.add(a, 'old', EventType.READ);
    expect(r.wait(0)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0); // a posted read holds no buffer while no data came
    const pending = r.waitAsync(2000);
    expect(r.remove(a)).toBe(true);
    const events = await pending;
    const next = collect(r, () => false, 100);
    // The cancel was handed to the OS: no context stays taken by the removed fd.
    expect(r.stats()).toMatchObject({ poolInUse: 0, registered: 0, readyQueued: 0 });
    // Bytes sent now are the app's: the reactor neither reports nor reads them.
    r.os.send(peer, text('after remove'));
    const later = collect(r, () => false, 200);
    expect([...events, ...next, ...later]).toEqual([]);
    expect(str(r.os.recv(a))).toBe('after remove');
    // Registered again, the fd works as new.
    r.add(a, 'again', EventType.READ);
    r.os.send(peer, text('again'));
    const again = collect(r, (all) => all.length > 0);
    expect(again.map((e) => [e.context, e.type, e.error?.code])).toEqual([['again', EventType.READ, undefined]]);
    expect(model === 'completion' ? str(again[0].buffer) : str(r.os.recv(a))).toBe('again');
  });
});

describe.each(MECHANISMS)('remove (readiness over %s)', (mechanism) => {
  test('remove drops a readiness event left queued by maxEvents; the fd is never reported again', async () => {
    const r = await reactor<number>({ model: 'readiness', mechanism });
    const pairs = Array.from({ length: 4 }, () => socketPair(r));
    pairs.forEach(([fd, peer], i) => {
      r.add(fd, i, EventType.READ);
      r.os.send(peer, text('x'));
    });
    sleep(10);
    const first = collect(r, (all) => all.length > 0, 3000, 1);
    expect(first).toHaveLength(1);
    expect(r.stats().readyQueued).toBe(3);
    const kept = first[0].context;
    for (const [i, [fd]] of pairs.entries()) if (i !== kept) expect(r.remove(fd)).toBe(true);
    expect(r.stats().readyQueued).toBe(0);
    const later = collect(r, () => false, 200);
    expect(later.length).toBeGreaterThan(0); // the kept fd is still readable (level-triggered)
    expect(new Set(later.map((e) => e.context))).toEqual(new Set([kept]));
  });
});

// ---------------------------------------------------------------------------------------------
// Row: max_events smaller than the ready set starved later fds → leftovers go first next time.

describe.each(MATRIX)('maxEvents smaller than the ready set (%s over %s)', (model, mechanism) => {
  test('10 fds always ready, 3 events per wait: every fd is served in turn, none starves', async () => {
    const r = await reactor<number>({ model, mechanism, bufferSize: 16 });
    const pairs = Array.from({ length: 10 }, () => socketPair(r));
    pairs.forEach(([fd, peer], i) => {
      r.add(fd, i, EventType.READ);
      r.os.send(peer, pattern(4000, i));
    });
    sleep(20);
    const served = new Array<number>(10).fill(0);
    const perWait: number[][] = [];
    for (let w = 0; w < 20; w++) {
      const events = r.wait(1000, 3);
      perWait.push(events.map((e) => e.context));
      for (const e of events) {
        served[e.context]++;
        if (model === 'completion') {
          expect(e.type).toBe(EventType.READ);
          r.postRead(e.fd);
        }
      }
    }
    // Readiness: level-triggered, never read. Completion: 4000 bytes each, 16 per read, reposted.
    expect(perWait.every((ids) => ids.length === 3)).toBe(true);
    // The leftovers of each wait go first in the next: the first 4 waits serve all 10 fds, and
    // every 5 waits in a row serve each fd again (fds re-reported together come back in the
    // OS's order, so a round may serve one fd a wait later than another).
    expect(new Set(perWait.slice(0, 4).flat()).size).toBe(10);
    for (let w = 0; w + 5 <= perWait.length; w++) expect(new Set(perWait.slice(w, w + 5).flat()).size).toBe(10);
    expect(Math.min(...served)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...served) - Math.min(...served)).toBeLessThanOrEqual(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: sub-millisecond timeouts truncated to a busy poll; EINTR returned 0 → timeouts round up;
// EINTR retries with the time left.

describe.each(MATRIX)('wait timeouts (%s over %s)', (model, mechanism) => {
  test('sub-millisecond timeouts round up: wait(0.5) and wait(0.05) with nothing ready last at least that long', async () => {
    const r = await reactor({ model, mechanism });
    const [a] = socketPair(r);
    r.add(a, 'idle', EventType.READ);
    for (const timeout of [0.5, 0.05, 0.999]) {
      for (let i = 0; i < 10; i++) {
        const start = process.hrtime.bigint();
        expect(r.wait(timeout)).toEqual([]);
        const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
        expect(elapsedMs).toBeGreaterThanOrEqual(timeout);
      }
    }
  });

  test('a signal arriving mid-wait does not cut the wait short: wait(300) still lasts ~300 ms', async () => {
    // In a child process: the signal handler must be on the real process, not jest's copy.
    const child = spawn(process.execPath, [SIGNAL_CHILD, JSON.stringify({ model, mechanism, waitMs: 300, signalAfterMs: 100 })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const [code] = await once(child, 'exit');
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/^\{.*\}\n$/) });
    const result = JSON.parse(output) as { elapsedMs: number; events: number; waitsInterrupted: number; signals: number };
    expect(result.events).toBe(0);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
    // The signal did land during the wait (the main thread takes process-directed signals first).
    expect(result.waitsInterrupted).toBeGreaterThanOrEqual(1);
    expect(result.signals).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: post context NULL on later IOCP reads → every event carries the add-time context.

describe.each(MATRIX)('contexts (%s over %s)', (model, mechanism) => {
  test("every event carries the add-time context: repeated reads, a write, close, and a listener's connections", async () => {
    type Ctx = { name: string };
    const r = await reactor<Ctx>({ model, mechanism });
    const conn: Ctx = { name: 'conn' };
    const [a, peer] = socketPair(r);
    r.add(a, conn, EventType.READ);
    const seen: IoEvent<Ctx>[] = [];
    for (let i = 0; i < 5; i++) {
      r.os.send(peer, text(`message ${i}`));
      const events = collect(r, (all) => all.length > 0);
      expect(events).toHaveLength(1);
      seen.push(...events);
      if (model === 'completion') {
        expect(str(events[0].buffer)).toBe(`message ${i}`);
        r.postRead(a);
      } else {
        expect(str(r.os.recv(a))).toBe(`message ${i}`);
      }
    }
    if (model === 'completion') {
      r.postWrite(a, pattern(5000));
      seen.push(...collect(r, (all) => all.some((e) => e.type === EventType.WRITE)));
      expect(seen.at(-1)!.type).toBe(EventType.WRITE);
    } else {
      r.modify(a, EventType.READ | EventType.WRITE);
      seen.push(...collect(r, (all) => all.length > 0));
      expect(seen.at(-1)!.type & EventType.WRITE).toBeTruthy();
      r.modify(a, EventType.READ);
    }
    r.os.close(peer);
    untrack(peer);
    seen.push(...collect(r, (all) => all.length > 0));
    expect(seen.at(-1)!.type & (EventType.CLOSE | EventType.READ)).toBeTruthy();
    expect(seen.length).toBeGreaterThanOrEqual(7);
    for (const e of seen) {
      expect(e.context).toBe(conn);
      expect(e.fd).toBe(a);
    }
    r.remove(a);

    const lctx: Ctx = { name: 'listener' };
    const { fd: listener, port } = r.os.listen(0);
    track(listener);
    r.add(listener, lctx, EventType.READ);
    const accepted: IoEvent<Ctx>[] = [];
    for (let i = 0; i < 3; i++) {
      track(r.os.connect(port));
      const events = collect(r, (all) => all.length > 0);
      accepted.push(...events);
      for (const e of events) {
        if (model === 'completion') track(e.acceptedFd!);
        else {
          const fd = r.os.accept(listener);
          if (fd !== null) track(fd);
        }
      }
    }
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    for (const e of accepted) expect(e.context).toBe(lctx);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: IOCP completions waited behind other handles (up to 100 ms late) → completions wake
// `wait` at once.

describe.each(MATRIX)('waking on I/O (%s over %s)', (model, mechanism) => {
  test('bytes sent by another thread mid-wait end a wait(5000) at once, 10 times in a row', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    expect(r.wait(0)).toEqual([]);
    const ROUNDS = 10;
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const sentAt = new BigInt64Array(new SharedArrayBuffer(8 * ROUNDS));
    // The worker sleeps 30 ms into each wait, notes the time and sends one byte.
    const worker = new Worker(
      `const { workerData: { flag, sentAt, fd, rounds } } = require('node:worker_threads');
       const { writeSync } = require('node:fs');
       for (let i = 1; i <= rounds; i++) {
         Atomics.wait(flag, 0, i - 1);
         Atomics.wait(flag, 1, 0, 30);
         sentAt[i - 1] = process.hrtime.bigint();
         writeSync(fd, 'x');
       }`,
      { eval: true, workerData: { flag, sentAt, fd: peer, rounds: ROUNDS } },
    );
    try {
      await new Promise((resolve) => worker.once('online', resolve));
      const latencies: number[] = [];
      const durations: number[] = [];
      for (let i = 1; i <= ROUNDS; i++) {
        Atomics.store(flag, 0, i);
        Atomics.notify(flag, 0);
        const start = process.hrtime.bigint();
        const events = r.wait(5000);
        const end = process.hrtime.bigint();
        expect(events.map((e) => [e.context, e.type & EventType.READ])).toEqual([['a', EventType.READ]]);
        if (model === 'completion') {
          expect(str(events[0].buffer)).toBe('x');
          r.postRead(a);
        } else {
          expect(str(r.os.recv(a))).toBe('x');
        }
        durations.push(Number(end - start) / 1e6);
        latencies.push(Number(end - sentAt[i - 1]) / 1e6);
      }
      expect(Math.max(...durations)).toBeLessThan(2500);
      // Waking only every 100 ms would average ~50 ms from send to return.
      const mean = latencies.reduce((s, x) => s + x, 0) / ROUNDS;
      expect(mean).toBeLessThan(30);
    } finally {
      await worker.terminate();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Row: data beyond the app's buffer was dropped → nothing is dropped: bytes stay queued.

describe.each(FULL_MATRIX)('bytes beyond the buffer (%s over %s, %s)', (model, mechanism, backend) => {
  test('1000 bytes through 16-byte reads all arrive, in order', async () => {
    const r = await reactor<string>({ model, mechanism, backend, bufferSize: 16 });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    const data = pattern(1000, 11);
    expect(r.os.send(peer, data)).toBe(1000);
    const parts: Uint8Array[] = [];
    let got = 0;
    for (let end = Date.now() + 5000; got < 1000 && Date.now() < end; ) {
      for (const e of r.wait(20)) {
        expect(e.type).toBe(EventType.READ);
        // One read of at most 16 bytes per event: the rest must wait in the kernel.
        const chunk = model === 'completion' ? e.buffer!.slice() : r.os.recv(a, 16)!;
        expect(chunk.length).toBeGreaterThan(0);
        expect(chunk.length).toBeLessThanOrEqual(16);
        parts.push(chunk);
        got += chunk.length;
        if (model === 'completion') r.postRead(a);
      }
    }
    expect(got).toBe(1000);
    expect(Buffer.from(concat(parts)).equals(Buffer.from(data))).toBe(true);
    expect(parts.length).toBeGreaterThanOrEqual(63);
  });
});

// ---------------------------------------------------------------------------------------------
// Row: local close under a pending read (Windows 995, Wine 676) → CLOSE. On Linux the same
// situations: the socket shut down locally (by any holder of it) or by the peer.

/** Shuts the socket down (SHUT_RDWR) from another process holding it (perl, from Debian's essential
 * perl-base): a local shutdown of the very socket the reactor reads. */
function shutdownElsewhere(fd: number): void {
  const p = spawnSync('perl', ['-e', 'open(my $s, "+<&=", 3) or die "open: $!"; shutdown($s, 2) or die "shutdown: $!"'], {
    stdio: ['ignore', 'ignore', 'pipe', fd],
  });
  if (p.status !== 0) throw new Error(`perl shutdown failed: ${p.stderr}`);
}

describe.each(MATRIX)('shutdown under a pending read (%s over %s)', (model, mechanism) => {
  const expectClosed = (r: Reactor<string>, fd: number, events: IoEvent<string>[]) => {
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].context).toBe('a');
    if (model === 'completion') {
      expect(events.map((e) => e.type)).toEqual([EventType.CLOSE]);
      expect(events[0].bytesTransferred).toBe(0);
    } else {
      expect(events[0].type & (EventType.READ | EventType.CLOSE)).toBeTruthy();
      expect(r.os.recv(fd)).toEqual(new Uint8Array(0));
    }
  };

  test('a local shutdown of the socket ends the pending read with CLOSE', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    expect(r.wait(0)).toEqual([]);
    shutdownElsewhere(a);
    expectClosed(
      r,
      a,
      collect(r, (all) => all.length > 0, 3000, 1),
    );
  });

  test('the peer shutting down its side ends the pending read with CLOSE', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    expect(r.wait(0)).toEqual([]);
    r.os.shutdown(peer);
    expectClosed(
      r,
      a,
      collect(r, (all) => all.length > 0, 3000, 1),
    );
  });

  test('a TCP peer closing ends the pending read with CLOSE', async () => {
    const r = await reactor<string>({ model, mechanism });
    const { fd: listener, port } = r.os.listen(0);
    track(listener);
    const client = track(r.os.connect(port))[0];
    let server: number | null = null;
    for (let end = Date.now() + 2000; server === null && Date.now() < end; sleep(2)) server = r.os.accept(listener);
    track(server!);
    r.add(server!, 'a', EventType.READ);
    expect(r.wait(0)).toEqual([]);
    r.os.close(client);
    untrack(client);
    expectClosed(
      r,
      server!,
      collect(r, (all) => all.length > 0, 3000, 1),
    );
  });
});
